import type { EntityManager } from '@mikro-orm/postgresql';
import type { PolicyCatalog } from '../claims/index.js';

/** What every payouts operation needs: the database, the product terms (premiums), and the city's today. */
export interface PayoutsContext {
  readonly em: EntityManager;
  readonly policies: PolicyCatalog;
  /** Today in the city's time zone (YYYY-MM-DD); a function so a long-running service never keeps a stale day. */
  today(): string;
}
