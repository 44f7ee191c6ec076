/**
 * Concurrent random load over HTTP. Each operation is a small generator of requests against the
 * world; the runner draws operations by weight from a list, so allocations and payouts are added by
 * appending operations (see STOCK_OPERATIONS in operations.ts). Every request is journalled; a reply
 * outside the statuses an operation allows, a 5xx or a lost connection (outside a crash window) is
 * a failure.
 */
import { randomUUID } from 'node:crypto';
import { Rng } from './random.js';
import type { Reply, Target } from './target.js';
import type { Actor, World } from './world.js';

export interface Sent {
  op: string;
  actor: Actor;
  method: string;
  path: string;
  /** The exact JSON text sent, so a retry sends the same bytes (the idempotency hash covers them). */
  raw: string;
  key?: string;
  /** A unique text written into the document (reference or note), to count it afterwards. */
  marker?: string;
  reply?: { status: number; body: any; replayed: boolean };
  error?: string;
}

export interface LoadContext {
  target: Target;
  world: World;
  rng: Rng;
  /** Sends one POST with an Idempotency-Key (when the load uses them) and journals it. */
  post(op: string, actor: Actor, path: string, body: unknown, allowed: readonly number[], marker?: string): Promise<Reply | null>;
  /** A unique marker for a document of this run. */
  marker(): string;
}

export interface Operation {
  name: string;
  weight: number;
  run(ctx: LoadContext): Promise<void>;
}

export interface LoadOptions {
  seconds: number;
  maxOps?: number;
  concurrency: number;
  seed: number;
  idempotencyKeys: boolean;
  /** Resolves when the load should stop early (the crash run's kill). */
  stop?: Promise<void>;
}

export interface LoadResult {
  ops: number;
  requests: number;
  journal: Sent[];
  failures: string[];
  statuses: Record<string, number>;
}

export async function runLoad(target: Target, world: World, operations: readonly Operation[], options: LoadOptions): Promise<LoadResult> {
  const journal: Sent[] = [];
  const failures: string[] = [];
  const statuses: Record<string, number> = {};
  let stopped = false;
  let crashed = false;
  void options.stop?.then(() => {
    stopped = true;
    crashed = true;
  });
  let counter = 0;
  const deadline = Date.now() + options.seconds * 1000;
  let ops = 0;
  const totalWeight = operations.reduce((sum, op) => sum + op.weight, 0);

  const worker = async (index: number) => {
    const rng = new Rng(options.seed * 1000 + index);
    const ctx: LoadContext = {
      target, world, rng,
      marker: () => `${world.prefix}-m${options.seed}-${index}-${++counter}`,
      async post(op, actor, path, body, allowed, marker) {
        const raw = JSON.stringify(body);
        const sent: Sent = { op, actor, method: 'POST', path, raw, marker, ...(options.idempotencyKeys ? { key: randomUUID() } : {}) };
        journal.push(sent);
        try {
          const reply = await target.request('POST', path, {
            token: actor.token, raw,
            headers: { 'content-type': 'application/json', ...(sent.key ? { 'idempotency-key': sent.key } : {}) },
          });
          sent.reply = { status: reply.status, body: reply.body, replayed: reply.headers.get('idempotent-replayed') === 'true' };
          const label = `${op} ${reply.status}${reply.status >= 400 ? ` ${reply.body?.error?.code ?? ''}` : ''}`;
          statuses[label] = (statuses[label] ?? 0) + 1;
          if (!allowed.includes(reply.status)) failures.push(`${op}: POST ${path} as ${actor.name} → ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)} (allowed ${allowed.join('/')}) body ${raw.slice(0, 200)}`);
          return reply;
        } catch (error) {
          sent.error = (error as Error).message;
          if (!crashed) failures.push(`${op}: POST ${path} as ${actor.name} failed: ${sent.error}`);
          return null;
        }
      },
    };
    while (!stopped && Date.now() < deadline && (options.maxOps === undefined || ops < options.maxOps)) {
      ops++;
      let draw = rng.next() * totalWeight;
      const op = operations.find((candidate) => (draw -= candidate.weight) < 0) ?? operations[0]!;
      try {
        await op.run(ctx);
      } catch (error) {
        if (!crashed) failures.push(`${op.name}: ${(error as Error).stack ?? error}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  return { ops, requests: journal.length, journal, failures, statuses };
}
