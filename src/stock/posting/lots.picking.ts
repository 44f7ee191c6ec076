/**
 * Which lots an outgoing line takes. The pure `pickLots` decides (first-expiring-first-out, or the
 * named lot if it may leave); this reads what it decides from, after the ledger lock, so lot
 * statuses and quantities cannot change between the pick and the posting.
 */
import type { LedgerTx } from './ledger.sql.js';
import { Decimal } from '../../shared/decimal.js';
import { ConflictError } from '../../shared/errors.js';
import { todayInCity } from '../../shared/dates.js';
import { type LotStatus, type LotStock, pickLots } from '../core/fefo.js';
import type { CategoryRules } from '../core/movement.js';
import type { LineInput } from '../core/validation.js';

interface LotRow {
  category: string;
  lot: string;
  expires_on: string;
  status: LotStatus;
  available: string;
}

export interface PickOptions {
  /**
   * A write-off may name any lot, expired and quarantined ones above all (that is how they leave the
   * books); shipping may name only a lot that could be shipped.
   */
  readonly namedLotAnyStatus: boolean;
  readonly today?: string;
}

async function lotsInWarehouse(tx: LedgerTx, warehouse: string, categories: string[]): Promise<Map<string, LotStock[]>> {
  const rows = await tx.execute<LotRow[]>(
    `SELECT b.category, b.lot, l.expires_on::text AS expires_on, l.status, (b.on_hand - b.reserved)::text AS available
     FROM stock_balances b JOIN stock_lots l USING (category, lot)
     WHERE b.warehouse = ? AND b.category = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))) AND b.lot <> ''`,
    [warehouse, JSON.stringify(categories)],
  );
  const byCategory = new Map<string, LotStock[]>();
  for (const row of rows) {
    const list = byCategory.get(row.category) ?? [];
    list.push({ lot: row.lot, expiresOn: row.expires_on, status: row.status, available: new Decimal(row.available) });
    byCategory.set(row.category, list);
  }
  return byCategory;
}

function lineRefused(error: ConflictError, index: number, line: LineInput, warehouse: string): ConflictError {
  const details = typeof error.details === 'object' && error.details !== null ? error.details : {};
  return new ConflictError(error.code, `lines[${index}] (${line.category} in ${warehouse}): ${error.message}`, {
    ...details,
    field: `lines[${index}]`,
    category: line.category,
    warehouse,
  });
}

/**
 * Expands lines of lot-tracked categories into one line per lot taken, each with its expiry date.
 * Lines are picked in order, each from what the earlier ones left. Lines of other categories pass
 * through unchanged; whether their stock is there is the balance update's question.
 */
export async function pickOutgoingLots(tx: LedgerTx, rules: CategoryRules, warehouse: string, lines: readonly LineInput[], options: PickOptions): Promise<LineInput[]> {
  const tracked = [...new Set(lines.filter((line) => rules.get(line.category)?.lotTracked).map((line) => line.category))];
  if (tracked.length === 0) return [...lines];
  const lots = await lotsInWarehouse(tx, warehouse, tracked);
  const today = options.today ?? todayInCity();
  return lines.flatMap((line, index) => {
    if (!rules.get(line.category)?.lotTracked) return [line];
    const candidates = lots.get(line.category) ?? [];
    const named = line.lot ?? undefined;
    if (named !== undefined && options.namedLotAnyStatus) {
      const found = candidates.find((lot) => lot.lot === named);
      if (found === undefined) {
        throw lineRefused(new ConflictError('LOT_UNAVAILABLE', `lot ${named} is not held here`, { lot: named, reason: 'NOT_HELD' }), index, line, warehouse);
      }
      return [{ ...line, expiresOn: found.expiresOn }];
    }
    let picks;
    try {
      picks = pickLots(line.quantity, candidates, today, named);
    } catch (error) {
      if (error instanceof ConflictError) throw lineRefused(error, index, line, warehouse);
      throw error;
    }
    const remaining = new Map(picks.map((pick) => [pick.lot, pick.quantity]));
    lots.set(line.category, candidates.map((lot) => (remaining.has(lot.lot) ? { ...lot, available: lot.available.minus(remaining.get(lot.lot)!) } : lot)));
    return picks.map((pick) => ({ category: line.category, lot: pick.lot, expiresOn: pick.expiresOn, quantity: pick.quantity, unitCost: line.unitCost ?? null }));
  });
}

/** Picks of the same category and lot (two lines, or a named lot that FEFO also chose) as one line. */
export function mergeByLot(lines: readonly LineInput[]): LineInput[] {
  const merged = new Map<string, LineInput>();
  for (const line of lines) {
    const lineKey = JSON.stringify([line.category, line.lot ?? null]);
    const earlier = merged.get(lineKey);
    if (earlier === undefined) merged.set(lineKey, line);
    else {
      const sameCost = (earlier.unitCost ?? null)?.toString() === (line.unitCost ?? null)?.toString();
      merged.set(lineKey, { ...earlier, quantity: earlier.quantity.plus(line.quantity), unitCost: sameCost ? earlier.unitCost : null });
    }
  }
  return [...merged.values()];
}
