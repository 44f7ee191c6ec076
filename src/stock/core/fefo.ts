import { Decimal } from '../../shared/decimal.js';
import { sum } from '../../shared/amounts.js';
import { ConflictError, assert } from '../../shared/errors.js';

export type LotStatus = 'AVAILABLE' | 'QUARANTINED' | 'EXPIRED';

/** One lot of one category in one warehouse, with what can still be taken from it. */
export interface LotStock {
  readonly lot: string;
  readonly expiresOn: string;
  readonly status: LotStatus;
  readonly available: Decimal;
}

export interface LotPick {
  readonly lot: string;
  readonly expiresOn: string;
  readonly quantity: Decimal;
}

/** A lot is usable through its expiry day; the day after, it may no longer leave for relief. */
function usable(lot: LotStock, today: string): boolean {
  return lot.status === 'AVAILABLE' && lot.expiresOn >= today && lot.available.gt(0);
}

// Plain code-unit comparison, not localeCompare: the order must not depend on the server's locale.
function byExpiryThenLot(a: LotStock, b: LotStock): number {
  if (a.expiresOn !== b.expiresOn) return a.expiresOn < b.expiresOn ? -1 : 1;
  return a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0;
}

function insufficient(requested: Decimal, available: Decimal, lot?: string): ConflictError {
  const where = lot === undefined ? 'usable lots' : `lot ${lot}`;
  return new ConflictError('INSUFFICIENT_STOCK', `requested ${requested.toString()} but only ${available.toString()} available in ${where}`, {
    requested: requested.toString(),
    available: available.toString(),
    ...(lot === undefined ? {} : { lot }),
  });
}

/**
 * First-expiring-first-out: takes from the lot that expires soonest (ties by lot name, so the pick is
 * reproducible), skipping quarantined and expired lots. A keeper may name a lot instead, e.g. to clear
 * a pallet already on the dock; it must then be available and unexpired on its own.
 * Dates are YYYY-MM-DD, so comparing the strings compares the days.
 */
export function pickLots(requested: Decimal, lots: readonly LotStock[], today: string, namedLot?: string): LotPick[] {
  assert(requested.isFinite() && requested.gt(0), `requested quantity must be positive, got ${requested.toString()}`);
  assert(new Set(lots.map((l) => l.lot)).size === lots.length, 'each lot appears once');
  if (namedLot !== undefined) return pickNamedLot(requested, lots, today, namedLot);
  const candidates = lots.filter((lot) => usable(lot, today)).sort(byExpiryThenLot);
  const picks: LotPick[] = [];
  let remaining = requested;
  for (const lot of candidates) {
    if (remaining.isZero()) break;
    const quantity = Decimal.min(remaining, lot.available);
    picks.push({ lot: lot.lot, expiresOn: lot.expiresOn, quantity });
    remaining = remaining.minus(quantity);
  }
  if (remaining.gt(0)) throw insufficient(requested, sum(candidates.map((lot) => lot.available)));
  return picks;
}

function pickNamedLot(requested: Decimal, lots: readonly LotStock[], today: string, namedLot: string): LotPick[] {
  const lot = lots.find((candidate) => candidate.lot === namedLot);
  if (lot === undefined) {
    throw new ConflictError('LOT_UNAVAILABLE', `lot ${namedLot} is not held here`, { lot: namedLot, reason: 'NOT_HELD' });
  }
  if (lot.status !== 'AVAILABLE') {
    throw new ConflictError('LOT_UNAVAILABLE', `lot ${namedLot} is ${lot.status.toLowerCase()}`, { lot: namedLot, reason: lot.status });
  }
  if (lot.expiresOn < today) {
    throw new ConflictError('LOT_UNAVAILABLE', `lot ${namedLot} expired on ${lot.expiresOn}`, { lot: namedLot, reason: 'EXPIRED', expiresOn: lot.expiresOn });
  }
  if (lot.available.lt(requested)) throw insufficient(requested, Decimal.max(lot.available, 0), namedLot);
  return [{ lot: lot.lot, expiresOn: lot.expiresOn, quantity: requested }];
}
