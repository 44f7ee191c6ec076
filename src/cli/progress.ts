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
