/**
 * Opening stock (期初库存) from CSV: what each warehouse held when the ledger started, posted as one
 * OPENING document per warehouse. All rows or none, like the catalog import. A (category, warehouse)
 * whose ledger has already started is refused, so importing the same file twice cannot double stock.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../../shared/decimal.js';
import type { FieldProblem } from '../../shared/errors.js';
import { isValidDate, todayInCity } from '../../shared/dates.js';
import { readCodeReference } from '../../catalog/index.js';
import { type ColumnSpec, type ImportFormat, RowReader } from '../../imports/index.js';
import { openingMovements } from '../core/posting.js';
import { LOT_MAX_LENGTH, throwIfProblems } from '../core/validation.js';
import { QUANTITY_MAX, fitsScale } from '../../shared/amounts.js';
import { type ChainHeads, occurredAtProblems } from '../posting/ledger.lock.js';
import { type NewLot, postDocument } from '../posting/ledger.post.js';
import { ledgerTxOf } from '../posting/ledger.sql.js';

type OpeningKey = 'warehouse' | 'category' | 'lot' | 'expiresOn' | 'quantity' | 'unitCost';

export interface OpeningRow {
  warehouse: string;
  category: string;
  lot: string | null;
  expiresOn: string | null;
  quantity: Decimal;
  unitCost: Decimal | null;
}

const columns: readonly ColumnSpec<OpeningKey>[] = [
  { key: 'warehouse', headers: ['仓库编码', '储备库编码', '仓库', 'warehouse'], required: true },
  { key: 'category', headers: ['物资编码', '品类编码', '物资', 'category'], required: true },
  { key: 'lot', headers: ['批次号', '批号', '批次', 'lot'], required: false },
  { key: 'expiresOn', headers: ['有效期至', '有效期', '失效日期', 'expiresOn', 'expires_on', 'expiry'], required: false },
  { key: 'quantity', headers: ['数量', '库存数量', '期初数量', 'quantity'], required: true },
  { key: 'unitCost', headers: ['单价', '单位成本', 'unitCost', 'unit_cost'], required: false },
];

/** Excel writes dates as 2027/6/30 or 2027-6-30 depending on the locale; both mean 2027-06-30. */
export function normaliseDate(text: string): string | null {
  const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  if (!match) return null;
  const date = `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}`;
  return isValidDate(date) ? date : null;
}

const COST_MAX = new Decimal('999999999999.99');

/** `occurredAt` dates the opening documents (today when absent); it must fall in an open period. */
export function openingStockImport(chains: ChainHeads, userId: string | null, source: string | undefined, occurredAt = todayInCity()): ImportFormat<OpeningKey, OpeningRow> {
  return {
    kind: 'opening-stock',
    columns,
    parseRow(values, line, problems, header) {
      const read = new RowReader(values, line, problems, header);
      const before = problems.length;
      const warehouse = readCodeReference(read, 'warehouse', 'warehouse');
      const category = readCodeReference(read, 'category', 'category');
      const lot = read.text('lot', { required: false, max: LOT_MAX_LENGTH });
      const expiryText = values.expiresOn ?? '';
      const expiresOn = expiryText === '' ? null : normaliseDate(expiryText);
      if (expiryText !== '' && expiresOn === null) problems.push({ line, field: header('expiresOn'), value: expiryText, reason: 'must be a date such as 2027-06-30' });
      const quantity = read.decimal('quantity', { min: new Decimal('0.001'), max: QUANTITY_MAX, maxScale: 3 });
      const unitCost = (values.unitCost ?? '') === '' ? null : read.decimal('unitCost', { min: new Decimal(0), max: COST_MAX, maxScale: 2 });
      if (problems.length > before) return null;
      return { warehouse: warehouse!, category: category!, lot: lot ?? null, expiresOn, quantity: quantity!, unitCost: unitCost ?? null };
    },
    uniqueKey: (row) => JSON.stringify([row.warehouse, row.category, row.lot]),
    checkAgainstDatabase: checkRows,
    async writeBatch(tx, rows) {
      const byWarehouse = new Map<string, OpeningRow[]>();
      for (const row of rows) byWarehouse.set(row.warehouse, [...(byWarehouse.get(row.warehouse) ?? []), row]);
      const ledgerTx = ledgerTxOf(tx);
      const lock = await chains.lock(ledgerTx, rows.map((r) => r.category), byWarehouse.keys(), byWarehouse.size);
      throwIfProblems('opening stock', occurredAtProblems(lock, occurredAt));
      for (const [warehouse, whRows] of [...byWarehouse].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const movements = openingMovements({ warehouse, lines: whRows }, lock.rules);
        const lots = new Map<string, NewLot>();
        for (const row of whRows) if (row.lot && row.expiresOn) lots.set(JSON.stringify([row.category, row.lot]), { category: row.category, lot: row.lot, expiresOn: row.expiresOn });
        const reason = `opening stock${source ? ` (${source})` : ''}`;
        await postDocument(ledgerTx, lock, { type: 'OPENING', warehouse, reason, occurredAt, userId }, movements, [...lots.values()]);
      }
      return { inserted: rows.length, updated: 0, unchanged: 0 };
    },
  };
}

interface Reference {
  warehouses: Map<string, boolean>;
  categories: Map<string, { scale: number; lotTracked: boolean }>;
  lots: Map<string, string>;
  started: Set<string>;
}

async function readReference(tx: EntityManager, rows: readonly OpeningRow[]): Promise<Reference> {
  const codes = (pick: (row: OpeningRow) => string) => JSON.stringify([...new Set(rows.map(pick))]);
  const anyOf = 'ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))';
  const warehouses = await tx.execute<{ code: string; active: boolean }[]>(`SELECT code, active FROM warehouses WHERE code = ${anyOf}`, [codes((r) => r.warehouse)]);
  const categories = await tx.execute<{ code: string; scale: number; lot_tracked: boolean }[]>(`SELECT code, scale, lot_tracked FROM categories WHERE code = ${anyOf}`, [codes((r) => r.category)]);
  const lots = await tx.execute<{ category: string; lot: string; expires_on: string }[]>(
    `SELECT category, lot, expires_on::text FROM stock_lots WHERE category = ${anyOf}`,
    [JSON.stringify([...new Set(rows.filter((r) => r.lot).map((r) => r.category))])],
  );
  const started = await tx.execute<{ category: string; warehouse: string }[]>(`SELECT category, warehouse FROM stock_positions WHERE movements > 0 AND category = ${anyOf}`, [codes((r) => r.category)]);
  return {
    warehouses: new Map(warehouses.map((w) => [w.code, w.active])),
    categories: new Map(categories.map((c) => [c.code, { scale: c.scale, lotTracked: c.lot_tracked }])),
    lots: new Map(lots.map((l) => [JSON.stringify([l.category, l.lot]), l.expires_on])),
    started: new Set(started.map((s) => JSON.stringify([s.category, s.warehouse]))),
  };
}

async function checkRows(tx: EntityManager, rows: { line: number; row: OpeningRow }[], problems: FieldProblem[], headerOf: (key: OpeningKey) => string): Promise<void> {
  const reference = await readReference(tx, rows.map((r) => r.row));
  for (const { line, row } of rows) {
    const fail = (key: OpeningKey, value: unknown, reason: string) => problems.push({ line, field: headerOf(key), value, reason });
    const active = reference.warehouses.get(row.warehouse);
    if (active === undefined) fail('warehouse', row.warehouse, 'unknown warehouse');
    else if (!active) fail('warehouse', row.warehouse, 'the warehouse is not in use (inactive)');
    const category = reference.categories.get(row.category);
    if (category === undefined) {
      fail('category', row.category, 'unknown supply category');
      continue;
    }
    if (!fitsScale(row.quantity, category.scale)) {
      fail('quantity', row.quantity.toString(), category.scale === 0 ? `${row.category} is counted in whole units` : `${row.category} takes at most ${category.scale} decimal places`);
    }
    if (reference.started.has(JSON.stringify([row.category, row.warehouse]))) {
      fail('category', row.category, `the ledger of ${row.category} in ${row.warehouse} has already started; record further stock as a receipt`);
    }
    if (!category.lotTracked) {
      if (row.lot !== null) fail('lot', row.lot, `${row.category} is not kept in lots`);
      if (row.expiresOn !== null) fail('expiresOn', row.expiresOn, `${row.category} is not kept in lots, so it has no expiry date`);
      continue;
    }
    if (row.lot === null) fail('lot', '', `${row.category} is kept in lots: a lot is required`);
    if (row.expiresOn === null) fail('expiresOn', '', `${row.category} is kept in lots: an expiry date is required`);
    if (row.lot === null || row.expiresOn === null) continue;
    const lotKey = JSON.stringify([row.category, row.lot]);
    const recorded = reference.lots.get(lotKey);
    if (recorded !== undefined && recorded !== row.expiresOn) fail('expiresOn', row.expiresOn, `lot ${row.lot} of ${row.category} is recorded with expiry ${recorded}`);
    else reference.lots.set(lotKey, row.expiresOn);
  }
}
