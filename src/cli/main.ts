import '../shared/decimal.js';
import { createWriteStream } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { type SealedManifest, restoreBackup, sealed, verifyBackupFile, writeBackup } from '../backup/index.js';
import { openSystem, type System } from '../boot.js';
import { loadConfig } from '../config.js';
import { loadReportDefinitions } from '../reports/index.js';
import type { ImportOptions, ImportReport } from '../imports/index.js';
import { createLogger } from '../logger.js';
import type { Services } from '../services.js';
import { parseDigest } from '../ledger-digest/index.js';
import { ROLES } from '../users/index.js';
import { refusalLines } from './problems.js';
import { backupProgress, importProgress, reportProgress, restoreProgress } from './progress.js';

/** Runs `work` against the database the service uses (embedded unless DATABASE_URL is set), then closes it. */
async function withSystem<T>(work: (services: Services, system: System) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const system = await openSystem(config, createLogger(process.env.LOG_LEVEL ?? 'warn'));
  try {
    return await work(system.services, system);
  } finally {
    await system.close();
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Set by `import --all`: a refused file then prints every problem. */
let printAllProblems = false;

type Importer = (services: Services, bytes: Buffer, options: ImportOptions) => Promise<ImportReport>;

/** The CLI acts as the system itself (no actor): whoever can run it already holds the data folder. */
export const importers: Record<string, Importer> = {
  catalog: (s, bytes, o) => s.catalog.importCategories(null, bytes, o),
  warehouses: (s, bytes, o) => s.catalog.importWarehouses(null, bytes, o),
  'opening-stock': (s, bytes, o) => s.stock.importOpeningStock(null, bytes, o),
  quotas: (s, bytes, o) => s.stock.importQuotas(null, bytes, o),
};

function importCommand(program: Command): void {
  program
    .command('import')
    .description(`import a CSV file, all rows or none (kinds: ${Object.keys(importers).join(', ')})`)
    .argument('<kind>', 'what the file holds')
    .argument('<file>', 'CSV file: UTF-8 (with or without BOM) or GB18030/GBK, Chinese or English headers')
    .option('--dry-run', 'validate and count, write nothing')
    .option('--charset <name>', 'the file\'s charset: utf-8, gb18030, gbk or gb2312 (needed when the bytes read as both)')
    .option('--all', 'print every problem of a refused file, not only the first 50')
    .action(async (kind: string, file: string, options: { dryRun?: boolean; charset?: string; all?: boolean }) => {
      printAllProblems = options.all ?? false;
      const importer = importers[kind];
      if (!importer) throw new Error(`unknown import kind ${kind}; one of: ${Object.keys(importers).join(', ')}`);
      const bytes = await readFile(file);
      const progress = importProgress();
      const report = await withSystem((services) =>
        importer(services, bytes, {
          dryRun: options.dryRun ?? false, maxRows: loadConfig().limits.importRows, charset: options.charset, listProblems: Number.POSITIVE_INFINITY,
          source: `cli:${file}`, onProgress: progress.onProgress,
        }),
      ).finally(progress.stop);
      print(report);
    });
}

function userCommands(program: Command): void {
  const users = program.command('users').description('manage users and API tokens');
  users
    .command('create')
    .argument('<name>')
    .addOption(new Option('--role <role>').choices([...ROLES]).makeOptionMandatory())
    .option('--warehouses <codes>', 'comma-separated warehouse codes (keepers)')
    .description('create a user and print its API token (shown only once)')
    .action(async (name: string, options: { role: (typeof ROLES)[number]; warehouses?: string }) => {
      const warehouses = options.warehouses?.split(',').map((code) => code.trim()).filter(Boolean);
      print(await withSystem((s) => s.users.create(null, { name, role: options.role, ...(warehouses ? { warehouses } : {}) })));
    });
  users
    .command('token')
    .argument('<name>')
    .option('--revoke-others', 'revoke the user’s other tokens')
    .description('issue a new API token for a user')
    .action(async (name: string, options: { revokeOthers?: boolean }) => {
      print({ token: await withSystem((s) => s.users.issueToken(null, name, options.revokeOthers ?? false)) });
    });
  users
    .command('password')
    .argument('<name>')
    .description('set or reset a user’s console password, read from the environment variable RELIEF_PASSWORD or else from standard input')
    .action(async (name: string) => {
      const password = process.env.RELIEF_PASSWORD ?? (await readStdin()).replace(/\r?\n$/, '');
      print(await withSystem((s) => s.sessions.setPassword(null, name, password)));
    });
  users
    .command('deactivate')
    .argument('<name>')
    .description('deactivate a user; their tokens stop working')
    .action(async (name: string) => print(await withSystem((s) => s.users.setActive(null, name, false))));
  users
    .command('list')
    .description('list users')
    .action(async () => print(await withSystem((s) => s.users.list({ id: '0', name: 'cli', role: 'admin', warehouses: [] }, { limit: 500, offset: 0 }))));
}

function ledgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('audit the supply ledger');
  ledger
    .command('check')
    .description('compare the balance projection with the ledger; exits 1 on any discrepancy')
    .action(async () => {
      const result = await withSystem((s) => s.stock.check(null));
      print(result);
      if (!result.ok) process.exitCode = 1;
    });
  ledger
    .command('verify')
    .description('recompute every hash chain; exits 1 if any row was changed behind the service')
    .option('--digest <file>', 'also prove the ledger extends this earlier digest (a GET /ledger/digest reply, or a line of the digest log; the last line of a .jsonl file)')
    .action(async (options: { digest?: string }) => verifyLedgerCommand(options.digest));
  ledger
    .command('digest')
    .description('seal a signed digest now, append it to the digest log outside the database, and print it')
    .action(async () => print(await withSystem((s) => s.ledgerDigest.append('cli'))));
  program
    .command('verify-ledger')
    .description('the same as `ledger verify`')
    .option('--digest <file>', 'an earlier digest to prove the ledger extends')
    .action(async (options: { digest?: string }) => verifyLedgerCommand(options.digest));
}

async function verifyLedgerCommand(digestFile?: string): Promise<void> {
  const digest = digestFile ? parseDigest(lastJson(await readFile(digestFile, 'utf8'))) : null;
  const result = await withSystem(async (s) => {
    const chains = await s.stock.verify(null);
    if (!digest) return chains;
    const extension = await s.ledgerDigest.verify(null, digest);
    return { ...chains, ok: chains.ok && extension.ok, digest: extension };
  });
  print(result);
  if (!result.ok) process.exitCode = 1;
}

/** A digest file holds one JSON document, or JSON lines (the digest log): the last one counts. */
function lastJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const lines = text.split('\n').filter((line) => line.trim());
    return JSON.parse(lines[lines.length - 1] ?? 'null');
  }
}

function maintenanceCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (the service also does this at start)')
    .action(async () => withSystem(async () => print({ migrated: true })));
}

/** What a person wants to see of a manifest; the whole one (every chain head) is in the file. */
function manifestSummary(file: string, m: SealedManifest) {
  return {
    file, bytes: m.bytes, sha256: m.sha256, snapshotAt: m.snapshotAt, finishedAt: m.finishedAt, postgresVersion: m.postgresVersion,
    schemaVersion: m.migrations[m.migrations.length - 1], migrations: m.migrations.length,
    rows: Object.fromEntries(m.tables.map((t) => [t.name, t.rows])),
    ledger: { chains: m.ledger.chains, chainsWithMovements: m.ledger.chainHeads.length, chainHeadsSha256: m.ledger.chainHeadsSha256, signedDigest: m.ledger.signedDigest },
  };
}

/** The CLI runs reports as the system (an admin's scope: every warehouse; ID and account numbers masked, as for any role but finance). */
const CLI_ACTOR = { id: '0', name: 'cli', role: 'admin', warehouses: [] } as const;

function reportCommand(program: Command): void {
  const command = program
    .command('report')
    .description('write an Excel report (see GET /reports for names and parameters) to a file')
    .argument('<name>', 'report name, e.g. stock-ledger, movement-journal')
    .requiredOption('--out <file>', 'the xlsx file to write (written as <file>.partial, renamed when complete)');
  // One option per parameter any report takes (--from, --to, --warehouse, --district, --destination, …),
  // from the definitions in reports/; each report checks its own and refuses the others.
  const seen = new Set<string>();
  for (const definition of loadReportDefinitions(loadConfig().paths.reports).filter((d) => !d.servedAt)) {
    for (const p of definition.parameters.filter((x) => !seen.has(x.name))) {
      seen.add(p.name);
      const label = p.name === 'from' ? '起始日期' : p.name === 'to' ? '截止日期' : p.label;
      command.option(`--${p.name} <${p.type === 'date' ? 'date' : 'value'}>`, `${label}${p.type === 'date' ? ' (YYYY-MM-DD)' : ''}`);
    }
  }
  command
    .action(async (name: string, options: Record<string, string>) => {
      const { out, ...params } = options;
      const progress = reportProgress(name);
      const written = await withSystem(async (s) => {
        const report = await s.reports.open(CLI_ACTOR, name, params);
        const file = createWriteStream(`${out}.partial`);
        const closed = new Promise<void>((resolve, reject) => file.on('close', resolve).on('error', reject));
        let rows = 0;
        await report.write(file, (n) => {
          rows = n;
          progress.onRows(n);
        });
        await closed;
        await rename(`${out}.partial`, out!);
        return { report: name, file: out, rows };
      }).finally(progress.stop);
      print(written);
    });
}

function backupCommands(program: Command): void {
  program
    .command('backup')
    .description('write a consistent backup of the database (the service may keep running): one snapshot of every table, gzip, manifest, SHA-256')
    .requiredOption('--out <file>', 'the backup file to write (written as <file>.partial, renamed when complete)')
    .option('--level <n>', 'gzip level 1-9 (1: fastest)', '1')
    .action(async (options: { out: string; level: string }) => {
      const progress = backupProgress();
      const manifest = await withSystem((_s, system) =>
        writeBackup(system.orm.config.get('clientUrl')!, options.out, { onProgress: progress.onProgress, compressionLevel: Number(options.level) }),
      ).finally(progress.stop);
      print(manifestSummary(options.out, manifest));
    });
  program
    .command('restore')
    .description('restore a backup into an empty data folder (embedded PostgreSQL) or an empty database, then prove it: row counts, ledger check and verify, chain heads')
    .argument('<file>', 'a backup file')
    .option('--data-dir <dir>', 'an empty or new folder; becomes a DATA_DIR for the service')
    .option('--database-url <url>', 'an empty external database')
    .action(async (file: string, options: { dataDir?: string; databaseUrl?: string }) => {
      if (!options.dataDir === !options.databaseUrl) throw new Error('say where to restore: exactly one of --data-dir DIR or --database-url URL');
      const progress = restoreProgress();
      const target = options.dataDir ? { dataDir: options.dataDir } : { databaseUrl: options.databaseUrl! };
      print(await restoreBackup(file, target, { onProgress: progress.onProgress }).finally(progress.stop));
    });
  program
    .command('check-backup')
    .description('verify a backup file\'s checksum and print its manifest, without restoring it; exits 1 if it is damaged')
    .argument('<file>', 'a backup file')
    .action(async (file: string) => print(manifestSummary(file, sealed(await verifyBackupFile(file)))));
}

export function buildProgram(): Command {
  const program = new Command();
  program.name('relief').description('应急物资台帐与灾害保险理赔 — command line').showHelpAfterError();
  importCommand(program);
  userCommands(program);
  ledgerCommands(program);
  maintenanceCommands(program);
  backupCommands(program);
  reportCommand(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`${refusalLines(error, printAllProblems).join('\n')}\n`);
    process.exit(1);
  });

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (then Enter, Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
