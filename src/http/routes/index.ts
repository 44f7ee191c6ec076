import type { Config } from '../../config.js';
import type { Services } from '../../services.js';
import { buildOpenApi } from '../openapi.js';
import type { RouteSpec } from '../route.js';
import { backupRoutes } from './backup.routes.js';
import { allocationRoutes } from './allocation.routes.js';
import { catalogRoutes } from './catalog.routes.js';
import { claimRoutes } from './claims.routes.js';
import { eventRoutes } from './events.routes.js';
import { ledgerRoutes } from './ledger.routes.js';
import { payoutRoutes } from './payouts.routes.js';
import { periodRoutes } from './periods.routes.js';
import { reportRoutes } from './reports.routes.js';
import { stockRoutes } from './stock.routes.js';
import { systemRoutes } from './system.routes.js';
import { userRoutes } from './users.routes.js';

export function allRoutes(services: Services, config: Config): RouteSpec[] {
  let document: object | null = null;
  const routes: RouteSpec[] = [];
  routes.push(
    ...systemRoutes(services, () => (document ??= buildOpenApi(routes, '0.1.0'))),
    ...userRoutes(services, config.hsts),
    ...catalogRoutes(services, config.limits.importRows),
    ...eventRoutes(services),
    ...claimRoutes(services),
    ...payoutRoutes(services, config.limits.importRows),
    ...stockRoutes(services),
    ...ledgerRoutes(services, config.limits.importRows),
    ...periodRoutes(services),
    ...backupRoutes(services),
    ...allocationRoutes(services, config.limits.importRows),
    ...reportRoutes(services),
  );
  return routes;
}
