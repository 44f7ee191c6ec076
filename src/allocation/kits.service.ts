/**
 * Kits (一键定制 packages): named templates whose lines give a quantity per N people. A kit is never
 * changed in place; saving different content adds a version, so every order keeps the template it used.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Actor, requireRole } from '../shared/actor.js';
import { Decimal } from '../shared/decimal.js';
import { type FieldProblem, NotFoundError, ValidationError } from '../shared/errors.js';
import { fitsScale, MAX_QUANTITY_SCALE } from '../shared/amounts.js';
import { inTransaction } from '../db/transaction.js';
import { forkOf } from '../db/request-transaction.js';
import { readerOf } from '../stock/index.js';
import { type ImportOptions, type ImportReport, runImport } from '../imports/index.js';
import { type Kit, kitProblems } from './core/kits.js';
import { ALLOCATION_READERS, KIT_WRITERS } from './allocation.access.js';
import type { KitBody } from './allocation.schemas.js';
import { kitImport } from './kits.import.js';
import type { SqlRunner } from './allocation.types.js';

export interface KitView {
  code: string;
  name: string;
  version: number;
  per: number;
  lines: { category: string; quantity: string }[];
}

interface KitRow {
  code: string;
  version: number;
  name: string;
  per: number;
  lines: { category: string; quantity: string }[];
}

const LATEST_KIT_SQL = `
  SELECT k.code, k.version, k.name, k.per,
         (SELECT coalesce(json_agg(json_build_object('category', l.category, 'quantity', l.quantity::text) ORDER BY l.line), '[]')
          FROM allocation_kit_lines l WHERE l.code = k.code AND l.version = k.version) AS lines
  FROM allocation_kits k WHERE k.code = ? ORDER BY k.version DESC LIMIT 1`;

/** Quantities without trailing zeros: a kit line keeps the precision it was written with. */
const plain = (text: string) => new Decimal(text).toFixed();

function toKit(row: KitRow): Kit {
  return { code: row.code, version: row.version, name: row.name, per: row.per, lines: row.lines.map((l) => ({ category: l.category, quantity: new Decimal(l.quantity) })) };
}

export function kitView(kit: Kit): KitView {
  return { code: kit.code, name: kit.name, version: kit.version, per: kit.per, lines: kit.lines.map((l) => ({ category: l.category, quantity: l.quantity.toFixed() })) };
}

/** The latest version of a kit, or null. Used inside an order's transaction too. */
export async function latestKit(db: SqlRunner, code: string): Promise<Kit | null> {
  const [row] = await db.execute<KitRow[]>(LATEST_KIT_SQL, [code]);
  return row ? toKit(row) : null;
}

export interface KitInput {
  code: string;
  name: string;
  per: number;
  lines: { category: string; quantity: Decimal }[];
}

/** Problems of a kit against the catalog: unknown categories and quantities finer than the ledger keeps. */
async function catalogProblems(tx: EntityManager, kit: KitInput): Promise<FieldProblem[]> {
  const known = new Set(
    (await tx.execute<{ code: string }[]>('SELECT code FROM categories WHERE code = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))', [JSON.stringify(kit.lines.map((l) => l.category))])).map((r) => r.code),
  );
  const problems: FieldProblem[] = [];
  kit.lines.forEach((line, index) => {
    if (!known.has(line.category)) problems.push({ field: `lines[${index}].category`, value: line.category, reason: 'unknown supply category' });
    if (!fitsScale(line.quantity, MAX_QUANTITY_SCALE)) problems.push({ field: `lines[${index}].quantity`, value: line.quantity.toString(), reason: `at most ${MAX_QUANTITY_SCALE} decimal places` });
  });
  return problems;
}

const sameContent = (row: KitRow, kit: KitInput) =>
  row.name === kit.name && row.per === kit.per && row.lines.length === kit.lines.length && row.lines.every((l, i) => l.category === kit.lines[i]!.category && new Decimal(l.quantity).eq(kit.lines[i]!.quantity));

/**
 * Saves a kit inside `tx`: a new version when its content differs from the latest, nothing when it is
 * the same. Two writers of one code are serialised by a transaction lock on the code.
 */
export async function writeKit(tx: EntityManager, kit: KitInput, userId: string | null): Promise<{ kit: Kit; created: boolean }> {
  const problems = [...kitProblems(kit), ...(await catalogProblems(tx, kit))];
  if (problems.length) throw new ValidationError(`kit ${kit.code} has ${problems.length} problem(s)`, problems);
  await tx.execute(`SELECT pg_advisory_xact_lock(hashtext('allocation_kit:' || ?))`, [kit.code]);
  const [latest] = await tx.execute<KitRow[]>(LATEST_KIT_SQL, [kit.code]);
  if (latest && sameContent(latest, kit)) return { kit: toKit(latest), created: false };
  const version = (latest?.version ?? 0) + 1;
  await tx.execute('INSERT INTO allocation_kits (code, version, name, per, user_id) VALUES (?, ?, ?, ?, ?)', [kit.code, version, kit.name, kit.per, userId]);
  await tx.execute(
    `INSERT INTO allocation_kit_lines (code, version, line, category, quantity)
     SELECT ?, ?, x.line, x.category, x.quantity FROM jsonb_to_recordset(?::jsonb) AS x(line integer, category text, quantity numeric)`,
    [kit.code, version, JSON.stringify(kit.lines.map((l, i) => ({ line: i + 1, category: l.category, quantity: l.quantity.toFixed() })))],
  );
  return { kit: { code: kit.code, version, name: kit.name, per: kit.per, lines: kit.lines }, created: true };
}

export class KitsService {
  constructor(private readonly em: EntityManager) {}

  async list(actor: Actor, query: { q?: string; limit: number; offset: number }) {
    requireRole(actor, ...ALLOCATION_READERS);
    const like = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const rows = await forkOf(this.em).execute<(KitRow & { total: string })[]>(
      `WITH latest AS (SELECT DISTINCT ON (code) code, version, name, per FROM allocation_kits ORDER BY code, version DESC)
       SELECT k.code, k.version, k.name, k.per, count(*) OVER () AS total,
              (SELECT coalesce(json_agg(json_build_object('category', l.category, 'quantity', l.quantity::text) ORDER BY l.line), '[]')
               FROM allocation_kit_lines l WHERE l.code = k.code AND l.version = k.version) AS lines
       FROM latest k WHERE (?::text IS NULL OR k.code ILIKE ? OR k.name ILIKE ?) ORDER BY k.code LIMIT ? OFFSET ?`,
      [like, like, like, query.limit, query.offset],
    );
    const total = rows[0] ? Number(rows[0].total) : 0;
    return { items: rows.map((row) => ({ ...kitView(toKit(row)), lines: row.lines.map((l) => ({ category: l.category, quantity: plain(l.quantity) })) })), total };
  }

  async get(actor: Actor, code: string): Promise<KitView> {
    requireRole(actor, ...ALLOCATION_READERS);
    const kit = await latestKit(readerOf(this.em), code);
    if (!kit) throw new NotFoundError('kit', code);
    return kitView(kit);
  }

  async save(actor: Actor, body: KitBody): Promise<KitView & { created: boolean }> {
    requireRole(actor, ...KIT_WRITERS);
    const { kit, created } = await inTransaction(this.em, (tx) => writeKit(tx, body, actor.id));
    return { ...kitView(kit), created };
  }

  /** Kits CSV (套餐编码,套餐名称,适用人数,物资编码,数量); actor null for the CLI and sample data. */
  async importKits(actor: Actor | null, bytes: Buffer, options: ImportOptions): Promise<ImportReport> {
    if (actor) requireRole(actor, ...KIT_WRITERS);
    const userId = actor?.id ?? options.userId ?? null;
    return runImport(this.em, kitImport(userId), bytes, { ...options, userId: userId ?? undefined });
  }
}
