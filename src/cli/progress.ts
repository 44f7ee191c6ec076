import cliProgress from 'cli-progress';
import type { ImportPhase } from '../imports/index.js';

/** One bar on stderr (stdout stays clean for the JSON report): reading is the first half, writing the second. */
export function importProgress(): { onProgress: (phase: ImportPhase, done: number, total: number) => void; stop: () => void } {
  const quiet = !process.stderr.isTTY && process.env.CLI_PROGRESS !== 'always';
  const bar = new cliProgress.SingleBar(
    { format: '导入 importing [{bar}] {percentage}% | 读取 read {read} | 写入 written {written}', stream: process.stderr, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let read = 0;
  let written = 0;
  return {
    stop: () => started && bar.stop(),
    onProgress(phase, done, total) {
      if (quiet) return;
      if (phase === 'validating') read = done;
      else written = done;
      const rows = Math.max(total, read, 1);
      if (!started) {
        bar.start(2 * rows, read + written, { read, written });
        started = true;
      }
      bar.setTotal(2 * rows);
      bar.update(read + written, { read, written });
    },
  };
}

/** The backup's bar: rows copied against PostgreSQL's row estimate (the estimate can be off; the bar is a guide). */
export function backupProgress(): { onProgress: (p: { table: string; rows: number; estimatedRows: number }) => void; stop: () => void } {
  const quiet = !process.stderr.isTTY && process.env.CLI_PROGRESS !== 'always';
  const bar = new cliProgress.SingleBar(
    { format: '备份 backup [{bar}] {percentage}% | {value} rows | {table}', stream: process.stderr, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    stop: () => started && bar.stop(),
    onProgress({ table, rows, estimatedRows }) {
      if (quiet) return;
      if (!started) {
        bar.start(Math.max(estimatedRows, rows, 1), rows, { table });
        started = true;
      }
      bar.setTotal(Math.max(estimatedRows, rows, 1));
      bar.update(rows, { table });
    },
  };
}

/** The restore's bar: bytes of the file, once to check its checksum and once to load it, then the proof. */
export function restoreProgress(): { onProgress: (p: { phase: string; done: number; total: number }) => void; stop: () => void } {
  const quiet = !process.stderr.isTTY && process.env.CLI_PROGRESS !== 'always';
  const bar = new cliProgress.SingleBar(
    { format: '恢复 restore [{bar}] {percentage}% | {phase}', stream: process.stderr, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  const label: Record<string, string> = { checking: '校验 checking the checksum', loading: '载入 loading the tables', proving: '证明 proving (counts, check, verify, chain heads)' };
  let started = false;
  return {
    stop: () => started && bar.stop(),
    onProgress({ phase, done, total }) {
      if (quiet) return;
      // Two passes over the file share one bar: checking is its first half, loading the second.
      const value = phase === 'checking' ? done : phase === 'loading' ? total + done : 2 * total;
      if (!started) {
        bar.start(2 * Math.max(total, 1), value, { phase: label[phase] });
        started = true;
      }
      if (phase !== 'proving') bar.setTotal(2 * Math.max(total, 1));
      bar.update(Math.min(value, bar.getTotal()), { phase: label[phase] });
    },
  };
}

/** The report's bar: rows written so far (the row count is not known before the cursor ends). */
export function reportProgress(name: string): { onRows: (rows: number) => void; stop: () => void } {
  const quiet = !process.stderr.isTTY && process.env.CLI_PROGRESS !== 'always';
  const bar = new cliProgress.SingleBar({ format: `报表 ${name} | {value} 行 rows | {duration_formatted}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    stop: () => started && bar.stop(),
    onRows(rows) {
      if (quiet) return;
      if (!started) {
        bar.start(0, rows);
        started = true;
      }
      bar.update(rows);
    },
  };
}
