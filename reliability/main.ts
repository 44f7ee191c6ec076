// `npm run reliability`: the long reliability suite; failures first, then ONE summary line; non-zero exit on any failure.
import '../src/shared/decimal.js';
import { runSuite, summaryLine } from './suite.js';

const summary = await runSuite(process.env, (line) => process.stderr.write(`${line}\n`));
for (const failure of summary.failures) process.stderr.write(`FAIL ${failure}\n`);
process.stdout.write(`${summaryLine(summary)}\n`);
process.exit(summary.failures.length === 0 ? 0 : 1);
