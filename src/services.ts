import type { MikroORM } from '@mikro-orm/postgresql';
import { CatalogService } from './catalog/index.js';
import { IdempotencyStore } from './db/idempotency.store.js';
import { UsersService } from './users/index.js';

/** Every service, built once from the database; the HTTP routes and the CLI both take this object. */
export interface Services {
  orm: MikroORM;
  users: UsersService;
  catalog: CatalogService;
  idempotency: IdempotencyStore;
}

export function buildServices(orm: MikroORM): Services {
  const em = orm.em;
  return {
    orm,
    users: new UsersService(em),
    catalog: new CatalogService(em),
    idempotency: new IdempotencyStore(em),
  };
}
