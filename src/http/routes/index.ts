import { loadConfig, type Config } from '../../config.js';
import type { Services } from '../../services.js';
import { buildOpenApi } from '../openapi.js';
import type { RouteSpec } from '../route.js';
import { backupRoutes } from './backup.routes.js';
import { allocationRoutes } from './allocation.routes.js';
import { catalogRoutes } from './catalog.routes.js';
import { docsRoutes } from './docs.routes.js';
import { claimRoutes } from './claims.routes.js';
import { digestRoutes } from './digest.routes.js';
import { eventRoutes } from './events.routes.js';
import { ledgerRoutes } from './ledger.routes.js';
import { payoutRoutes } from './payouts.routes.js';
import { periodRoutes } from './periods.routes.js';
import { reportRoutes } from './reports.routes.js';
import { stockRoutes } from './stock.routes.js';
import { systemRoutes } from './system.routes.js';
import { userRoutes } from './users.routes.js';

const API_VERSION = '0.1.0';

export function allRoutes(services: Services, config: Config): RouteSpec[] {
  let document: object | null = null;
  const routes: RouteSpec[] = [];
  routes.push(
    ...systemRoutes(services, () => (document ??= buildOpenApi(routes, API_VERSION))),
    ...docsRoutes(),
    ...userRoutes(services, config.hsts),
    ...catalogRoutes(services, config.limits.importRows),
    ...eventRoutes(services),
    ...claimRoutes(services),
    ...payoutRoutes(services, config.limits.importRows),
    ...stockRoutes(services),
    ...ledgerRoutes(services, config.limits.importRows),
    ...digestRoutes(services),
    ...periodRoutes(services),
    ...backupRoutes(services),
    ...allocationRoutes(services, config.limits.importRows),
    ...reportRoutes(services),
  );
  return routes;
}

/**
 * The document /openapi.json serves, built from the route declarations alone (no database): the handlers
 * are never called, so the services they would use are not needed (scripts/write-openapi.ts, the console's generated types in scripts/build-console.ts, the lint test).
 */
export function openApiDocument(): object {
  return buildOpenApi(allRoutes({} as Services, loadConfig({})), API_VERSION);
}
