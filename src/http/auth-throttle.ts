import { TooManyAttemptsError } from '../shared/errors.js';

/**
 * Failed token checks per client address in fixed windows: past the limit, every request from that
 * address is refused until the window ends, good token or not (otherwise guessing could go on). Requests
 * with a good token never touch the counters, so they are not slowed. In memory: one process, and a
 * restart forgets, which costs an attacker nothing worth having.
 */
export class AuthThrottle {
  private readonly windows = new Map<string, { startedMs: number; failures: number }>();

  constructor(
    private readonly limit: { failures: number; windowMs: number },
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Throws while `address` is over its limit. */
  check(address: string): void {
    const window = this.current(address);
    if (!window || window.failures < this.limit.failures) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((window.startedMs + this.limit.windowMs - this.nowMs()) / 1000));
    const at = new Date(window.startedMs + this.limit.windowMs).toISOString();
    throw new TooManyAttemptsError(retryAfterSeconds, `too many failed token checks from this address: try again in ${retryAfterSeconds} s (after ${at})`);
  }

  recordFailure(address: string): void {
    const window = this.current(address) ?? { startedMs: this.nowMs(), failures: 0 };
    window.failures += 1;
    this.windows.set(address, window);
    if (this.windows.size > 100_000) this.forgetExpired();
  }

  private current(address: string) {
    const window = this.windows.get(address);
    if (window && this.nowMs() - window.startedMs >= this.limit.windowMs) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }

  private forgetExpired(): void {
    for (const address of [...this.windows.keys()]) this.current(address);
  }
}
