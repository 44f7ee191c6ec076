/**
 * Month-end close (月结) and reopen. Closing takes the periods lock exclusively, which waits for
 * every posting in flight (they hold it shared from their lock statement to their commit) and holds
 * back new ones; the freeze then runs in later statements with a fresh snapshot, so a posting either
 * committed before the freeze and is in it, or reads the new closed-through date and is refused.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Actor, requireRole } from '../../shared/actor.js';
import { ConflictError, ValidationError } from '../../shared/errors.js';
import { todayInCity } from '../../shared/dates.js';
import { PERIOD_PATTERN, firstDayOf, lastDayOf, nextPeriod, periodOf, periodsBetween } from '../core/periods.js';
import { type LedgerTx, inLedgerTransaction } from '../posting/ledger.sql.js';
import { READING_ROLES } from '../stock.access.js';
import { ISO_TIME } from '../queries/stock.views.js';
import { forkOf } from '../../db/request-transaction.js';

/** Must match PERIODS_LOCK_ID in the migration that created stock_posting_gate(). */
export const PERIODS_LOCK_ID = 7262001;

export interface PeriodView {
  period: string;
  status: 'OPEN' | 'CLOSED';
  closedAt: string | null;
  closedBy: string | null;
}

export interface PeriodEventView {
  period: string;
  action: 'CLOSE' | 'REOPEN';
  reason: string | null;
  at: string;
  by: string;
}

interface PeriodState {
  latest: string | null;
  first_movement: string | null;
}

const STATE_SQL = `SELECT to_char((SELECT max(period) FROM stock_periods), 'YYYY-MM') AS latest, (SELECT min(occurred_at) FROM stock_movements)::text AS first_movement`;

// Next month's opening = this month's opening + this month's movements, per (category, warehouse, lot);
// only one month of movements is read, whatever the length of the history.
const FREEZE_SQL = `
  INSERT INTO stock_period_balances (period, category, warehouse, lot, on_hand)
  SELECT ?::date, category, warehouse, lot, sum(quantity) FROM (
    SELECT category, warehouse, lot, on_hand AS quantity FROM stock_period_balances WHERE period = ?::date
    UNION ALL
    SELECT category, warehouse, coalesce(lot, ''), CASE WHEN to_node = 'WH:' || warehouse THEN quantity ELSE -quantity END
    FROM stock_movements WHERE warehouse IS NOT NULL AND occurred_at > coalesce(?::date, '-infinity'::date) AND occurred_at <= ?::date) x
  GROUP BY category, warehouse, lot HAVING sum(quantity) <> 0`;

function parsePeriod(period: string): string {
  if (!PERIOD_PATTERN.test(period)) throw new ValidationError('invalid period', [{ field: 'period', value: period, reason: 'must be a month such as 2026-11' }]);
  return period;
}

async function lockPeriods(tx: LedgerTx): Promise<PeriodState> {
  await tx.execute('SELECT pg_advisory_xact_lock(?::bigint)', [PERIODS_LOCK_ID]);
  // A separate statement, so its snapshot is taken after the lock: it sees every posting that held the gate.
  const [state] = await tx.execute<PeriodState[]>(STATE_SQL);
  return state!;
}

export class PeriodsService {
  constructor(
    private readonly em: EntityManager,
    private readonly today: () => string = () => todayInCity(),
  ) {}

  /** Months from the first movement's (or first closed) month through the current month, each OPEN or CLOSED. */
  async list(actor: Actor): Promise<{ items: PeriodView[]; closedThrough: string | null; firstOpenDate: string }> {
    requireRole(actor, ...READING_ROLES);
    const fork = forkOf(this.em);
    const closed = await fork.execute<{ period: string; closed_at: string; closed_by: string | null }[]>(
      `SELECT to_char(p.period, 'YYYY-MM') AS period, to_char(p.closed_at AT TIME ZONE 'UTC', ${ISO_TIME}) AS closed_at, coalesce(u.name, 'system') AS closed_by
       FROM stock_periods p LEFT JOIN users u ON u.id = p.closed_by ORDER BY p.period`,
    );
    const [state] = await fork.execute<PeriodState[]>(STATE_SQL);
    const current = periodOf(this.today());
    const starts = [current, closed[0]?.period, state?.first_movement ? periodOf(state.first_movement) : undefined].filter((p): p is string => p !== undefined);
    const byPeriod = new Map(closed.map((row) => [row.period, row]));
    const items = periodsBetween(starts.sort()[0]!, current).map((period): PeriodView => {
      const row = byPeriod.get(period);
      return { period, status: row ? 'CLOSED' : 'OPEN', closedAt: row?.closed_at ?? null, closedBy: row?.closed_by ?? null };
    });
    const latest = closed.at(-1)?.period ?? null;
    return { items, closedThrough: latest ? lastDayOf(latest) : null, firstOpenDate: latest ? firstDayOf(nextPeriod(latest)) : firstDayOf(items[0]!.period) };
  }

  /** Closes `period` once every earlier month is closed and the month has ended; freezes its closing balances. */
  async close(actor: Actor | null, period: string): Promise<PeriodView & { balances: number }> {
    if (actor) requireRole(actor, 'admin', 'finance');
    parsePeriod(period);
    const today = this.today();
    return inLedgerTransaction(this.em, async (tx) => {
      const state = await lockPeriods(tx);
      if (state.latest !== null && period <= state.latest) {
        throw new ConflictError('PERIOD_ALREADY_CLOSED', `period ${period} is already closed (the books are closed through ${lastDayOf(state.latest)})`, { period, latestClosed: state.latest });
      }
      if (lastDayOf(period) >= today) {
        throw new ConflictError('PERIOD_NOT_ENDED', `period ${period} has not ended yet; it can be closed from ${firstDayOf(nextPeriod(period))}`, { period });
      }
      const expected = state.latest !== null ? nextPeriod(state.latest) : state.first_movement !== null ? periodOf(state.first_movement) : null;
      if (expected === null || period !== expected) {
        const message = expected === null ? `the ledger has no movements yet; there is no month to close` : `months are closed in order: close ${expected} first`;
        throw new ConflictError('PERIOD_OUT_OF_ORDER', message, { period, expected });
      }
      const previous = state.latest;
      const [closed] = await tx.execute<{ closed_at: string }[]>(
        `INSERT INTO stock_periods (period, closed_at, closed_by) VALUES (?::date, now(), ?) RETURNING to_char(closed_at AT TIME ZONE 'UTC', ${ISO_TIME}) AS closed_at`,
        [firstDayOf(period), actor?.id ?? null],
      );
      const frozen = await tx.execute<unknown[]>(`${FREEZE_SQL} RETURNING 1`, [
        firstDayOf(period), previous ? firstDayOf(previous) : null, previous ? lastDayOf(previous) : null, lastDayOf(period),
      ]);
      await tx.execute(`INSERT INTO stock_period_events (period, action, user_id, at) VALUES (?::date, 'CLOSE', ?, now())`, [firstDayOf(period), actor?.id ?? null]);
      return { period, status: 'CLOSED', closedAt: closed!.closed_at, closedBy: actor?.name ?? 'system', balances: frozen.length };
    });
  }

  /** Reopens the latest closed month (admin only, with a reason kept in its history); its frozen balances are discarded. */
  async reopen(actor: Actor, period: string, reason: string): Promise<PeriodView> {
    requireRole(actor, 'admin');
    parsePeriod(period);
    return inLedgerTransaction(this.em, async (tx) => {
      const state = await lockPeriods(tx);
      if (state.latest === null || period > state.latest) throw new ConflictError('PERIOD_NOT_CLOSED', `period ${period} is not closed`, { period, latestClosed: state.latest });
      if (period !== state.latest) {
        throw new ConflictError('PERIOD_NOT_LATEST', `only the latest closed month can be reopened: reopen ${state.latest} first`, { period, latestClosed: state.latest });
      }
      await tx.execute('DELETE FROM stock_period_balances WHERE period = ?::date', [firstDayOf(period)]);
      await tx.execute('DELETE FROM stock_periods WHERE period = ?::date', [firstDayOf(period)]);
      await tx.execute(`INSERT INTO stock_period_events (period, action, reason, user_id, at) VALUES (?::date, 'REOPEN', ?, ?, now())`, [firstDayOf(period), reason, actor.id]);
      return { period, status: 'OPEN', closedAt: null, closedBy: null };
    });
  }

  /** Every close and reopen of a month, oldest first. */
  async history(actor: Actor, period: string): Promise<{ period: string; items: PeriodEventView[] }> {
    requireRole(actor, ...READING_ROLES);
    parsePeriod(period);
    const rows = await forkOf(this.em).execute<{ action: 'CLOSE' | 'REOPEN'; reason: string | null; at: string; by: string | null }[]>(
      `SELECT e.action, e.reason, to_char(e.at AT TIME ZONE 'UTC', ${ISO_TIME}) AS at, u.name AS by
       FROM stock_period_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.period = ?::date ORDER BY e.id`,
      [firstDayOf(period)],
    );
    return { period, items: rows.map((row) => ({ period, action: row.action, reason: row.reason, at: row.at, by: row.by ?? 'system' })) };
  }
}
