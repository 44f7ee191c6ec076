import cliProgress from 'cli-progress';
import type { ImportPhase } from '../imports/index.js';

const LABELS: Record<ImportPhase, string> = { validating: '校验 validating', writing: '写入 writing  ' };

/** One progress bar per phase on stderr, so stdout stays clean for the JSON report. */
export function importProgress(): { onProgress: (phase: ImportPhase, done: number, total: number) => void; stop: () => void } {
  const quiet = !process.stderr.isTTY && process.env.CLI_PROGRESS !== 'always';
  let bar: cliProgress.SingleBar | null = null;
  let current: ImportPhase | null = null;
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    stop,
    onProgress(phase, done, total) {
      if (quiet) return;
      if (phase !== current) {
        stop();
        current = phase;
        bar = new cliProgress.SingleBar({ format: `${LABELS[phase]} [{bar}] {percentage}% | {value}/{total} rows`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
        bar.start(Math.max(total, done), done);
      }
      bar!.setTotal(Math.max(total, done));
      bar!.update(done);
    },
  };
}
