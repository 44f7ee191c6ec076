/**
 * Stocktakes (盘点): opening one snapshots the book of the warehouse in one statement; counts are
 * recorded (and corrected) while the warehouse keeps working; posting books counted − snapshot onto
 * the current balance, so movements recorded after the snapshot are kept, not overwritten.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type SqlRunner, inLedgerTransaction, readerOf } from '../posting/ledger.sql.js';
import { type Actor, requireRole, requireWarehouse } from '../../shared/actor.js';
import { Decimal } from '../../shared/decimal.js';
import { ConflictError, type FieldProblem, NotFoundError, ValidationError } from '../../shared/errors.js';
import { todayInCity } from '../../shared/dates.js';
import { type CountLine, stocktakeDifferences, stocktakeMovements } from '../core/stocktake.js';
import type { CategoryRule } from '../core/movement.js';
import { throwIfProblems } from '../core/validation.js';
import { type ChainHeads, occurredAtProblems } from '../posting/ledger.lock.js';
import { type DocumentHeader, postDocument } from '../posting/ledger.post.js';
import { POSTING_ROLES, requireReadable } from '../stock.access.js';
import type { CountsBody } from '../stock.schemas.js';
import { postedDocumentView } from '../queries/stock.views.js';

interface StocktakeRow {
  id: string;
  warehouse: string;
  status: 'COUNTING' | 'POSTED';
  document_id: string | null;
}

interface LineRow {
  category: string;
  lot: string;
  book: string;
  counted: string | null;
  scale: number;
}

async function readStocktake(em: SqlRunner, id: string, forUpdate = false): Promise<StocktakeRow> {
  if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('stocktake', id);
  const [row] = await em.execute<StocktakeRow[]>(`SELECT id::text, warehouse, status, document_id::text FROM stocktakes WHERE id = ?${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw new NotFoundError('stocktake', id);
  return row;
}

function requireCounting(stocktake: StocktakeRow): void {
  if (stocktake.status !== 'COUNTING') {
    throw new ConflictError('STOCKTAKE_POSTED', `stocktake ${stocktake.id} was already posted as document ${stocktake.document_id}`, { stocktakeId: stocktake.id, documentId: stocktake.document_id });
  }
}

async function readLines(em: SqlRunner, id: string): Promise<LineRow[]> {
  return em.execute<LineRow[]>(
    `SELECT s.category, s.lot, s.book::text, s.counted::text, c.scale FROM stocktake_lines s JOIN categories c ON c.code = s.category
     WHERE s.stocktake_id = ? ORDER BY s.category, s.lot`,
    [id],
  );
}

export class StocktakesService {
  constructor(
    private readonly em: EntityManager,
    private readonly chains: ChainHeads,
  ) {}

  async open(actor: Actor, warehouse: string) {
    requireRole(actor, ...POSTING_ROLES);
    requireWarehouse(actor, warehouse);
    return inLedgerTransaction(this.em, async (tx) => {
      const [found] = await tx.execute<{ active: boolean }[]>('SELECT active FROM warehouses WHERE code = ?', [warehouse]);
      if (!found?.active) {
        const reason = found ? 'the warehouse is not in use (inactive)' : 'unknown warehouse';
        throw new ValidationError('stocktake has 1 problem', [{ field: 'warehouse', value: warehouse, reason }]);
      }
      const [row] = await tx.execute<{ id: string; lines: number }[]>(
        `WITH taken AS (INSERT INTO stocktakes (warehouse, status, user_id) VALUES (?, 'COUNTING', ?) RETURNING id),
         book AS (INSERT INTO stocktake_lines (stocktake_id, category, lot, book) SELECT taken.id, b.category, b.lot, b.on_hand FROM taken, stock_balances b WHERE b.warehouse = ? RETURNING 1)
         SELECT taken.id::text, (SELECT count(*) FROM book)::int AS lines FROM taken`,
        [warehouse, actor.id, warehouse],
      );
      return { id: row!.id, warehouse, status: 'COUNTING' as const, lines: row!.lines };
    });
  }

  /** Records counts; counting a (category, lot) again replaces the earlier count. */
  async count(actor: Actor, id: string, body: CountsBody) {
    requireRole(actor, ...POSTING_ROLES);
    const stocktake = await readStocktake(readerOf(this.em), id);
    requireWarehouse(actor, stocktake.warehouse);
    return inLedgerTransaction(this.em, async (tx) => {
      requireCounting(await readStocktake(tx, id, true));
      const counts: CountLine[] = body.lines.map((line) => ({ category: line.category, lot: line.lot ?? null, counted: line.counted }));
      const rules = await categoryRules(tx, counts.map((c) => c.category));
      const problems: FieldProblem[] = [];
      try {
        stocktakeDifferences([], counts, rules);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        problems.push(...error.problems.map((p) => ({ ...p, field: p.field?.replace(/^counts/, 'lines') })));
      }
      problems.push(...(await unknownLots(tx, counts, rules)));
      throwIfProblems('stocktake count', problems);
      await tx.execute(
        `INSERT INTO stocktake_lines (stocktake_id, category, lot, book, counted, counted_at, counted_by)
         SELECT ?, x.category, x.lot, 0, x.counted, now(), ? FROM jsonb_to_recordset(?::jsonb) AS x(category text, lot text, counted numeric)
         ON CONFLICT (stocktake_id, category, lot) DO UPDATE SET counted = EXCLUDED.counted, counted_at = EXCLUDED.counted_at, counted_by = EXCLUDED.counted_by`,
        [id, actor.id, JSON.stringify(counts.map((c) => ({ category: c.category, lot: c.lot ?? '', counted: c.counted.toFixed() })))],
      );
      return this.view(tx, await readStocktake(tx, id));
    });
  }

  async post(actor: Actor, id: string) {
    requireRole(actor, ...POSTING_ROLES);
    const stocktake = await readStocktake(readerOf(this.em), id);
    requireWarehouse(actor, stocktake.warehouse);
    return inLedgerTransaction(this.em, async (tx) => {
      // The stocktake row first: counts cannot change after this, and nothing that locks chain heads
      // ever waits for a stocktake row, so this order cannot deadlock.
      requireCounting(await readStocktake(tx, id, true));
      const current = (await readLines(tx, id)).filter((line) => line.counted !== null);
      const lock = await this.chains.lock(tx, current.map((line) => line.category), [stocktake.warehouse]);
      const occurredAt = todayInCity();
      throwIfProblems('stocktake', occurredAtProblems(lock, occurredAt));
      const snapshot = current.map((line) => ({ category: line.category, lot: line.lot || null, book: new Decimal(line.book) }));
      const differences = stocktakeDifferences(snapshot, current.map((line) => ({ category: line.category, lot: line.lot || null, counted: new Decimal(line.counted!) })), lock.rules);
      const header: DocumentHeader = { type: 'STOCKTAKE', warehouse: stocktake.warehouse, reason: `stocktake ${id}`, stocktakeId: id, occurredAt, userId: actor.id };
      const posted = await postDocument(tx, lock, header, stocktakeMovements(stocktake.warehouse, differences));
      await tx.execute(`UPDATE stocktakes SET status = 'POSTED', document_id = ? WHERE id = ?`, [posted.id, id]);
      const scaleOf = (category: string) => lock.rules.get(category)?.scale ?? 3;
      return {
        ...postedDocumentView(posted, lock.rules, actor.name),
        differences: differences.map((d) => ({
          category: d.category, lot: d.lot, book: d.book.toFixed(scaleOf(d.category)), counted: d.counted.toFixed(scaleOf(d.category)), difference: d.difference.toFixed(scaleOf(d.category)),
        })),
      };
    });
  }

  async get(actor: Actor, id: string) {
    const stocktake = await readStocktake(readerOf(this.em), id);
    requireReadable(actor, stocktake.warehouse);
    return this.view(readerOf(this.em), stocktake);
  }

  private async view(em: SqlRunner, stocktake: StocktakeRow) {
    const lines = await readLines(em, stocktake.id);
    return {
      id: stocktake.id,
      warehouse: stocktake.warehouse,
      status: stocktake.status,
      documentId: stocktake.document_id,
      lines: lines.map((line) => ({
        category: line.category,
        lot: line.lot || null,
        book: new Decimal(line.book).toFixed(line.scale),
        counted: line.counted === null ? null : new Decimal(line.counted).toFixed(line.scale),
      })),
    };
  }
}

async function categoryRules(em: SqlRunner, codes: string[]): Promise<Map<string, CategoryRule>> {
  const rows = await em.execute<{ code: string; scale: number; lot_tracked: boolean }[]>(
    'SELECT code, scale, lot_tracked FROM categories WHERE code = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))',
    [JSON.stringify([...new Set(codes)])],
  );
  return new Map(rows.map((row) => [row.code, { code: row.code, scale: row.scale, lotTracked: row.lot_tracked }]));
}

/** A lot found on the shelf must already be known (from its receipt), since that is where its expiry date comes from. */
async function unknownLots(em: SqlRunner, counts: readonly CountLine[], rules: Map<string, CategoryRule>): Promise<FieldProblem[]> {
  const named = counts.map((c, index) => ({ ...c, index })).filter((c) => c.lot && rules.get(c.category)?.lotTracked);
  if (named.length === 0) return [];
  const rows = await em.execute<{ category: string; lot: string }[]>(
    'SELECT l.category, l.lot FROM stock_lots l JOIN jsonb_to_recordset(?::jsonb) AS x(category text, lot text) USING (category, lot)',
    [JSON.stringify(named.map((c) => ({ category: c.category, lot: c.lot })))],
  );
  const known = new Set(rows.map((row) => `${row.category}\u0000${row.lot}`));
  return named
    .filter((c) => !known.has(`${c.category}\u0000${c.lot}`))
    .map((c) => ({ field: `lines[${c.index}].lot`, value: c.lot, reason: `lot ${c.lot} of ${c.category} has never been received; receive it with its expiry date first` }));
}
