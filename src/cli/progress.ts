import cliProgress from 'cli-progress';
import type { ImportPhase } from '../imports/index.js';

/**
 * One bar on stderr (stdout stays clean for the JSON report). Reading and writing overlap in a
 * pipelined import, so the bar follows rows read and shows rows written beside it.
 */
export function importProgress(): { onProgress: (phase: ImportPhase, done: number, total: number) => void; stop: () => void } {
  const quiet = !process.stderr.isTTY && process.env.CLI_PROGRESS !== 'always';
  const bar = new cliProgress.SingleBar(
    { format: '导入 importing [{bar}] {percentage}% | 读取 read {value}/{total} | 写入 written {written}', stream: process.stderr, hideCursor: true, etaBuffer: 50 },
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
      const estimate = phase === 'validating' ? Math.max(total, read) : Math.max(read, 1);
      if (!started) {
        bar.start(estimate, read, { written });
        started = true;
      }
      bar.setTotal(Math.max(estimate, read));
      bar.update(read, { written });
    },
  };
}
