/**
 * Lots (批次) and their status. A lot is one category's batch with one expiry date, wherever it is
 * kept, so quarantine (a recall, a failed inspection) applies in every warehouse. A lot past its
 * expiry date counts as expired whatever its status says.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { inLedgerTransaction } from '../posting/ledger.sql.js';
import { type Actor, requireRole } from '../../shared/actor.js';
import { Decimal } from '../../shared/decimal.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { todayInCity } from '../../shared/dates.js';
import type { LotStatus } from '../core/fefo.js';
import type { ChainHeads } from '../posting/ledger.lock.js';
import { POSTING_ROLES, readScope, STOCK_LEVEL_READERS, scopeParam } from '../stock.access.js';
import { forkOf } from '../../db/request-transaction.js';

export interface LotView {
  category: string;
  lot: string;
  expiresOn: string;
  status: LotStatus;
  /** EXPIRED once the expiry date has passed, else the recorded status. */
  effectiveStatus: LotStatus;
  statusReason: string | null;
  /** On hand per warehouse the reader may see. */
  stock: { warehouse: string; onHand: string }[];
}

interface LotRow {
  category: string;
  lot: string;
  expires_on: string;
  status: LotStatus;
  status_reason: string | null;
  scale: number;
  stock: { warehouse: string; on_hand: string }[] | null;
}

const effectiveStatus = (status: LotStatus, expiresOn: string, today: string): LotStatus => (expiresOn < today ? 'EXPIRED' : status);

function toView(row: LotRow, today: string): LotView {
  return {
    category: row.category,
    lot: row.lot,
    expiresOn: row.expires_on,
    status: row.status,
    effectiveStatus: effectiveStatus(row.status, row.expires_on, today),
    statusReason: row.status_reason,
    stock: (row.stock ?? []).map((s) => ({ warehouse: s.warehouse, onHand: new Decimal(s.on_hand).toFixed(row.scale) })),
  };
}

const LOTS_SQL = `
  SELECT l.category, l.lot, l.expires_on::text, l.status, l.status_reason, c.scale,
    (SELECT json_agg(json_build_object('warehouse', b.warehouse, 'on_hand', b.on_hand::text) ORDER BY b.warehouse) FROM stock_balances b
     WHERE b.category = l.category AND b.lot = l.lot AND b.on_hand > 0
       AND (?::jsonb IS NULL OR b.warehouse IN (SELECT jsonb_array_elements_text(?::jsonb)))) AS stock
  FROM stock_lots l JOIN categories c ON c.code = l.category`;

export class LotsService {
  constructor(
    private readonly em: EntityManager,
    private readonly chains: ChainHeads,
  ) {}

  async list(actor: Actor, category: string, warehouse?: string): Promise<{ items: LotView[] }> {
    const scope = scopeParam(readScope(actor, warehouse, STOCK_LEVEL_READERS));
    const rows = await forkOf(this.em).execute<LotRow[]>(`${LOTS_SQL} WHERE l.category = ? ORDER BY l.expires_on, l.lot`, [scope, scope, category]);
    const today = todayInCity();
    return { items: rows.map((row) => toView(row, today)) };
  }

  /**
   * Quarantines, releases or expires a lot. Keepers may do so only for a lot they hold; the change
   * takes the category's ledger lock, so no shipment picks the lot half-way through.
   */
  async setStatus(actor: Actor, category: string, lot: string, status: LotStatus, reason: string): Promise<LotView> {
    requireRole(actor, ...POSTING_ROLES);
    return inLedgerTransaction(this.em, async (tx) => {
      await this.chains.lock(tx, [category], [], 0);
      const [held] = await tx.execute<{ known: boolean; warehouses: string[] | null }[]>(
        `SELECT EXISTS (SELECT 1 FROM stock_lots WHERE category = ? AND lot = ?) AS known,
                (SELECT array_agg(warehouse) FROM stock_balances WHERE category = ? AND lot = ? AND on_hand > 0) AS warehouses`,
        [category, lot, category, lot],
      );
      if (!held?.known) throw new NotFoundError('lot', `${lot} of ${category}`);
      if (actor.role === 'keeper' && !(held.warehouses ?? []).some((w) => actor.warehouses.includes(w))) {
        throw new ForbiddenError(`${actor.name} keeps no stock of lot ${lot} of ${category}`, { category, lot });
      }
      await tx.execute(
        'UPDATE stock_lots SET status = ?, status_reason = ?, status_changed_at = now(), status_user_id = ? WHERE category = ? AND lot = ?',
        [status, reason, actor.id, category, lot],
      );
      const scope = scopeParam(actor.role === 'keeper' ? [...actor.warehouses] : null);
      const [row] = await tx.execute<LotRow[]>(`${LOTS_SQL} WHERE l.category = ? AND l.lot = ?`, [scope, scope, category, lot]);
      return toView(row!, todayInCity());
    });
  }
}
