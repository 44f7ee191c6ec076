import type { EntityManager } from '@mikro-orm/postgresql';
import type { PolicyCatalog } from './policy.loader.js';

/** What every claims operation needs: the database, the product terms loaded at start-up, and the city's today. */
export interface ClaimsContext {
  readonly em: EntityManager;
  readonly policies: PolicyCatalog;
  /** Today in the city's time zone (YYYY-MM-DD); a function so a long-running service never keeps a stale day. */
  today(): string;
}
