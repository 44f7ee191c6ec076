/**
 * Backups made by the running service: on request (POST /backups) and on a schedule (BACKUP_EVERY),
 * into BACKUP_DIR, keeping the newest BACKUP_KEEP files. One backup at a time per process: a second
 * request while one runs is told so rather than queued behind a long COPY.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConflictError } from '../shared/errors.js';
import { type SealedManifest, readLayout, sealed } from './backup.format.js';
import { writeBackup } from './backup.writer.js';

export interface BackupSettings {
  dir: string | null;
  everyMs: number | null;
  keep: number;
}

export interface BackupResult {
  file: string;
  bytes: number;
  manifest: SealedManifest;
}

export interface BackupStatus {
  configured: boolean;
  everySeconds: number | null;
  keep: number;
  running: boolean;
  /** The newest complete backup in BACKUP_DIR (made by this process or found there at start). */
  lastGood: { file: string; snapshotAt: string; ageSeconds: number; bytes: number } | null;
  lastFailure: { at: string; message: string } | null;
}

const FILE_PATTERN = /^relief-\d{8}T\d{9}Z\.backup$/;
/** setTimeout takes at most 2^31-1 ms (≈ 24.8 days); longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const backupFileName = (at: Date) => `relief-${at.toISOString().replace(/[-:.]/g, '')}.backup`;

export class BackupService {
  private running: Promise<BackupResult> | null = null;
  private lastGood: { file: string; snapshotAt: string; bytes: number } | null = null;
  private lastFailure: { at: string; message: string } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scanned = false;
  private scheduled = false;

  constructor(private readonly databaseUrl: () => string, private readonly settings: BackupSettings) {}

  /** A backup into BACKUP_DIR now; the older files beyond BACKUP_KEEP are removed after it succeeds. */
  async backupNow(): Promise<BackupResult> {
    const dir = this.settings.dir;
    if (!dir) throw new ConflictError('BACKUP_NOT_CONFIGURED', 'backups are off: set BACKUP_DIR to the folder they should go to');
    if (this.running) throw new ConflictError('BACKUP_IN_PROGRESS', 'a backup is already running; try again when it has finished');
    this.running = (async () => {
      await mkdir(dir, { recursive: true });
      const file = backupFileName(new Date());
      try {
        const manifest = await writeBackup(this.databaseUrl(), join(dir, file));
        this.lastGood = { file, snapshotAt: manifest.snapshotAt, bytes: manifest.bytes };
        await this.prune(dir);
        return { file, bytes: manifest.bytes, manifest };
      } catch (error) {
        this.lastFailure = { at: new Date().toISOString(), message: (error as Error).message };
        throw error;
      }
    })();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  /** Complete backups in BACKUP_DIR, newest first (their manifests are read from the end of each file). */
  async list(): Promise<{ items: { file: string; bytes: number; snapshotAt: string; sha256: string; migrations: number; rows: number }[] }> {
    const dir = this.settings.dir;
    if (!dir) return { items: [] };
    const items = [];
    for (const file of await this.files(dir)) {
      const layout = await readLayout(join(dir, file)).catch(() => null);
      if (!layout) continue;
      const m = sealed(layout);
      items.push({ file, bytes: m.bytes, snapshotAt: m.snapshotAt, sha256: m.sha256, migrations: m.migrations.length, rows: m.tables.reduce((s, t) => s + t.rows, 0) });
    }
    return { items };
  }

  async status(now = new Date()): Promise<BackupStatus> {
    if (!this.scanned && this.settings.dir) {
      this.scanned = true;
      const [newest] = (await this.list().catch(() => ({ items: [] }))).items;
      if (newest && !this.lastGood) this.lastGood = { file: newest.file, snapshotAt: newest.snapshotAt, bytes: newest.bytes };
    }
    const last = this.lastGood;
    return {
      configured: this.settings.dir !== null,
      everySeconds: this.settings.everyMs === null ? null : this.settings.everyMs / 1000,
      keep: this.settings.keep,
      running: this.running !== null,
      lastGood: last && { ...last, ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(last.snapshotAt)) / 1000)) },
      lastFailure: this.lastFailure,
    };
  }

  /** Backs up every BACKUP_EVERY, the first one as soon as the newest backup found is that old. */
  startSchedule(log: Logger): void {
    const every = this.settings.everyMs;
    if (every === null || this.scheduled) return;
    this.scheduled = true;
    const wait = (ms: number, then: () => void) => {
      if (!this.scheduled) return;
      this.timer = setTimeout(() => (ms > MAX_TIMER_MS ? wait(ms - MAX_TIMER_MS, then) : then()), Math.min(ms, MAX_TIMER_MS));
      this.timer.unref();
    };
    const run = async () => {
      const started = Date.now();
      try {
        const result = await this.backupNow();
        log.info({ backup: result.file, bytes: result.bytes, rows: result.manifest.tables.reduce((s, t) => s + t.rows, 0), seconds: (Date.now() - started) / 1000 }, 'scheduled backup written');
      } catch (error) {
        log.error({ err: error }, `scheduled backup failed: ${(error as Error).message}`);
      }
      wait(every, () => void run());
    };
    void this.status().then((status) => {
      const age = status.lastGood ? status.lastGood.ageSeconds * 1000 : Number.POSITIVE_INFINITY;
      log.info({ dir: this.settings.dir, everySeconds: every / 1000, keep: this.settings.keep, lastGood: status.lastGood?.file ?? null }, 'scheduled backups on');
      wait(Math.max(0, Math.min(every - age, every)), () => void run());
    });
  }

  stopSchedule(): void {
    this.scheduled = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async files(dir: string): Promise<string[]> {
    const names = await readdir(dir).catch(() => [] as string[]);
    return names.filter((n) => FILE_PATTERN.test(n)).sort().reverse();
  }

  private async prune(dir: string): Promise<void> {
    const stale = (await this.files(dir)).slice(this.settings.keep);
    for (const file of stale) {
      if ((await stat(join(dir, file))).isFile()) await rm(join(dir, file), { force: true });
    }
  }
}
