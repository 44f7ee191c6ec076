import type { Actor } from '../shared/actor.js';
import { maskAccountNumber, maskIdNumber } from './resident-id.js';

/**
 * Resident ID numbers are sensitive personal information (PIPL art. 28) and bank accounts nearly so.
 * Every reply that carries a claimant's numbers passes through `shownPersonalData` where its view is
 * built: finance, who pays and must match the payee to the ID on the bank's side, sees both in full;
 * every other role sees them masked and asks `POST /claims/:id/reveal` (recorded) when it must see more.
 */
const ID_FIELDS = new Set(['idNumber']);
const ACCOUNT_FIELDS = new Set(['accountNumber', 'bankAccountNumber']);

export function seesFullPersonalData(actor: Pick<Actor, 'role'>): boolean {
  return actor.role === 'finance';
}

/** A copy of `value` with every ID and account number field masked unless the actor may see them. */
export function shownPersonalData<T>(actor: Pick<Actor, 'role'>, value: T): T {
  return seesFullPersonalData(actor) ? value : (maskDeep(value) as T);
}

function maskDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'string' && ID_FIELDS.has(key)) out[key] = maskIdNumber(field);
    else if (typeof field === 'string' && ACCOUNT_FIELDS.has(key)) out[key] = maskAccountNumber(field);
    else out[key] = maskDeep(field);
  }
  return out;
}
