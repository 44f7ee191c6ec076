/**
 * The permission matrix: one table of route × role with the expected status class, checked against
 * the live service. Every route the service declares (its OpenAPI document is generated from the route
 * specs) must have a row, so a new route without one fails.
 *
 * Roles: admin, the keeper of the warehouse, another keeper, a dispatcher (调度员), assessor, approver, finance.
 * Classes: `ok` = let through (2xx, or a 404/409/422 about the request itself: anything but 401/403/5xx),
 * `403` = forbidden, `401` = unauthenticated. "keeper" keeps the warehouse the request is about,
 * "other" keeps another warehouse; "inactive" is a deactivated user's token.
 */
import { addDays, todayInCity } from '../src/shared/dates.js';
import { createUser, type Target } from './target.js';
import { buildWorld, type World } from './world.js';

export const ROLES = ['admin', 'keeper', 'other', 'dispatcher', 'assessor', 'approver', 'finance', 'none', 'inactive'] as const;
export type MatrixRole = (typeof ROLES)[number];
export type Expected = 'ok' | '403' | '401';

// prettier-ignore
const TABLE = `
  route                                  admin keeper other dispatcher assessor approver finance none inactive
  GET  /health                           ok     ok     ok     ok     ok     ok     ok     ok     ok
  GET  /openapi.json                     ok     ok     ok     ok     ok     ok     ok     ok     ok
  GET  /docs                             ok     ok     ok     ok     ok     ok     ok     ok     ok
  GET  /docs/:file                       ok     ok     ok     ok     ok     ok     ok     ok     ok
  GET  /metrics                          ok     ok     ok     ok     ok     ok     ok     ok     ok
  POST /users                            ok     403    403    403    403    403    403    401    401
  GET  /users                            ok     403    403    403    403    403    403    401    401
  GET  /me                               ok     ok     ok     ok     ok     ok     ok     401    401
  POST /users/:name/tokens               ok     403    403    403    403    403    403    401    401
  POST /users/:name/deactivate           ok     403    403    403    403    403    403    401    401
  POST /session                          ok     ok     ok     ok     ok     ok     ok     ok     ok
  DELETE /session                        ok     ok     ok     ok     ok     ok     ok     ok     ok
  PUT  /users/:name/password             ok     403    403    403    403    403    403    401    401
  GET  /categories                       ok     ok     ok     ok     ok     ok     ok     401    401
  GET  /categories/:code                 ok     ok     ok     ok     ok     ok     ok     401    401
  GET  /warehouses                       ok     ok     ok     ok     ok     ok     ok     401    401
  GET  /warehouses/:code                 ok     ok     403    ok     ok     ok     ok     401    401
  POST /imports/catalog                  ok     403    403    403    403    403    403    401    401
  POST /imports/warehouses               ok     403    403    403    403    403    403    401    401
  GET  /products                         ok     ok     ok     ok     ok     ok     ok     401    401
  POST /events                           ok     403    403    403    ok     403    403    401    401
  GET  /events                           ok     403    403    403    ok     ok     ok     401    401
  GET  /events/:id                       ok     403    403    403    ok     ok     ok     401    401
  POST /events/:id/settle                403    403    403    403    403    403    ok     401    401
  POST /claims                           403    403    403    403    ok     403    403    401    401
  GET  /claims                           ok     403    403    403    ok     ok     ok     401    401
  GET  /claims/:id                       ok     403    403    403    ok     ok     ok     401    401
  GET  /claims/:id/history               ok     403    403    403    ok     ok     ok     401    401
  POST /claims/:id/reveal                403    403    403    403    ok     403    403    401    401
  GET  /access-log                       ok     403    403    403    403    403    403    401    401
  POST /claims/:id/survey                403    403    403    403    ok     403    403    401    401
  POST /claims/:id/assessment            403    403    403    403    ok     ok     403    401    401
  POST /claims/:id/advance               403    403    403    403    403    ok     ok     401    401
  POST /claims/:id/approve               403    403    403    403    403    ok     403    401    401
  POST /claims/:id/reject                403    403    403    403    403    ok     403    401    401
  POST /claims/:id/return                403    403    403    403    403    ok     403    401    401
  POST /claims/:id/withdraw              403    403    403    403    ok     ok     403    401    401
  POST /claims/:id/reopen                403    403    403    403    ok     ok     403    401    401
  POST /claims/:id/pay                   403    403    403    403    403    403    ok     401    401
  POST /claims/:id/close                 403    403    403    403    403    403    ok     401    401
  PUT  /claims/:id/bank                  403    403    403    403    ok     403    ok     401    401
  POST /payout-batches                   403    403    403    403    403    403    ok     401    401
  GET  /payout-batches                   403    403    403    403    403    403    ok     401    401
  GET  /payout-batches/:id               403    403    403    403    403    403    ok     401    401
  POST /payout-batches/:id/cancel        403    403    403    403    403    403    ok     401    401
  GET  /payout-batches/:id/bank-file.xlsx 403    403    403    403    403    403    ok     401    401
  GET  /payout-batches/:id/bank-file.csv 403    403    403    403    403    403    ok     401    401
  POST /payout-batches/:id/confirm       403    403    403    403    403    403    ok     401    401
  POST /payout-batches/:id/return-file   403    403    403    403    403    403    ok     401    401
  GET  /claims/:id/payments              ok     403    403    403    403    403    ok     401    401
  POST /payments/:id/return              403    403    403    403    403    403    ok     401    401
  GET  /recoveries                       ok     403    403    403    403    403    ok     401    401
  POST /recoveries                       403    403    403    403    403    403    ok     401    401
  POST /recoveries/:id/collect           403    403    403    403    403    403    ok     401    401
  GET  /payouts/summary                  ok     403    403    403    403    403    ok     401    401
  GET  /products/:code/loss-ratio        ok     403    403    403    403    403    ok     401    401
  POST /receipts                         ok     ok     403    403    403    403    403    401    401
  POST /write-offs                       ok     ok     403    403    403    403    403    401    401
  POST /transfers                        ok     ok     403    403    403    403    403    401    401
  POST /transfers/:id/receive            ok     ok     403    403    403    403    403    401    401
  POST /transfers/:id/cancel             ok     ok     403    403    403    403    403    401    401
  GET  /transfers                        ok     ok     403    403    403    403    ok     401    401
  GET  /transfers/:id                    ok     ok     403    403    403    403    ok     401    401
  POST /stocktakes                       ok     ok     403    403    403    403    403    401    401
  POST /stocktakes/:id/counts            ok     ok     403    403    403    403    403    401    401
  POST /stocktakes/:id/post              ok     ok     403    403    403    403    403    401    401
  GET  /stocktakes/:id                   ok     ok     403    403    403    403    ok     401    401
  POST /documents/:id/reverse            ok     ok     403    403    403    403    403    401    401
  GET  /documents/:id                    ok     ok     403    403    403    403    ok     401    401
  GET  /balances                         ok     ok     403    ok     403    403    ok     401    401
  GET  /ledger                           ok     ok     403    403    403    403    ok     401    401
  GET  /ledger/check                     ok     403    403    403    403    403    ok     401    401
  GET  /ledger/verify                    ok     403    403    403    403    403    ok     401    401
  POST /ledger/verify                    ok     403    403    403    403    403    ok     401    401
  GET  /ledger/digest                    ok     403    403    403    403    403    ok     401    401
  GET  /lots                             ok     ok     403    ok     403    403    ok     401    401
  POST /lots/:category/:lot/status       ok     ok     403    403    403    403    403    401    401
  PUT  /quotas                           ok     403    403    403    403    403    403    401    401
  GET  /quotas                           ok     ok     403    403    403    403    ok     401    401
  GET  /alerts/below-quota               ok     ok     403    403    403    403    ok     401    401
  GET  /alerts/expiring                  ok     ok     403    ok     403    403    ok     401    401
  POST /imports/opening-stock            ok     403    403    403    403    403    403    401    401
  POST /imports/quotas                   ok     403    403    403    403    403    403    401    401
  GET  /periods                          ok     ok     ok     403    403    403    ok     401    401
  POST /periods/:period/close            ok     403    403    403    403    403    ok     401    401
  POST /periods/:period/reopen           ok     403    403    403    403    403    403    401    401
  GET  /periods/:period/history          ok     ok     ok     403    403    403    ok     401    401
  POST /backups                          ok     403    403    403    403    403    403    401    401
  GET  /backups                          ok     403    403    403    403    403    403    401    401
  GET  /kits                             ok     ok     ok     ok     403    403    ok     401    401
  GET  /kits/:code                       ok     ok     ok     ok     403    403    ok     401    401
  POST /kits                             ok     403    403    ok     403    403    403    401    401
  POST /imports/kits                     ok     403    403    ok     403    403    403    401    401
  POST /allocations                      ok     403    403    ok     403    403    403    401    401
  GET  /allocations                      ok     ok     ok     ok     403    403    ok     401    401
  GET  /allocations/summary              ok     403    403    ok     403    403    ok     401    401
  POST /allocations/expire-due           ok     403    403    403    403    403    403    401    401
  GET  /allocations/:id                  ok     ok     403    ok     403    403    ok     401    401
  POST /allocations/:id/approve-override ok     403    403    ok     403    403    403    401    401
  POST /allocations/:id/dispatch         ok     ok     403    403    403    403    403    401    401
  POST /allocations/:id/cancel           ok     403    403    ok     403    403    403    401    401
  POST /allocations/:id/deliver          ok     403    403    ok     403    403    403    401    401
  GET  /allocations/:id/pick-list        ok     ok     403    ok     403    403    ok     401    401
  GET  /allocations/:id/pick-list.xlsx   ok     ok     403    ok     403    403    ok     401    401
  GET  /reports                          ok     ok     ok     ok     ok     ok     ok     401    401
  GET  /reports/:name.xlsx               ok     ok     403    403    403    403    ok     401    401
`;

export interface MatrixRow {
  route: string;
  expected: Record<MatrixRole, Expected>;
}

export function permissionMatrix(): Map<string, MatrixRow> {
  const rows = new Map<string, MatrixRow>();
  for (const line of TABLE.trim().split('\n').slice(1)) {
    const [method, path, ...cells] = line.trim().split(/\s+/);
    if (cells.length !== ROLES.length) throw new Error(`permission table: ${line.trim()} has ${cells.length} cells, not ${ROLES.length}`);
    const route = `${method} ${path}`;
    rows.set(route, { route, expected: Object.fromEntries(ROLES.map((role, i) => [role, cells[i] as Expected])) as Record<MatrixRole, Expected> });
  }
  return rows;
}

/** Every route of the OpenAPI document as `METHOD /path/:param`. */
export function routesOf(openapi: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(openapi.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`));
}

/** A role that the table lets through for the route (to fuzz past the role check), or admin. */
export function allowedRole(route: string): MatrixRole {
  const row = permissionMatrix().get(route);
  return (row && ROLES.find((r) => row.expected[r] === 'ok' && r !== 'none' && r !== 'inactive')) ?? 'admin';
}

export interface MatrixFixture {
  world: World;
  tokens: Record<MatrixRole, string | null>;
  /** Concrete values for path parameters and bodies about the keeper's warehouse. */
  ids: Record<string, string>;
}

/** Users of every role and one stock document, transfer, stocktake and lot about the keeper's warehouse. */
export async function matrixFixture(target: Target, prefix = 'PM'): Promise<MatrixFixture> {
  const world = await buildWorld(target, { prefix, categoriesPerKind: 1, warehouses: 3 });
  const [own, other, third] = world.warehouses as [string, string, string];
  const keeper = world.actors.find((a) => a.role === 'keeper' && a.warehouses !== 'all' && a.warehouses[0] === own)!;
  const otherKeeper = world.actors.find((a) => a.role === 'keeper' && a.warehouses !== 'all' && a.warehouses[0] === other)!;
  const inactiveName = `${prefix}-inactive`;
  const inactive = await createUser(target, inactiveName, 'finance');
  const off = await target.request('POST', `/users/${encodeURIComponent(inactiveName)}/deactivate`, { body: {} });
  if (off.status >= 300) throw new Error(`cannot deactivate: ${off.status} ${JSON.stringify(off.body)}`);
  const tokens: Record<MatrixRole, string | null> = {
    admin: target.adminToken, keeper: keeper.token, other: otherKeeper.token,
    dispatcher: await createUser(target, `${prefix}-dispatcher`, 'dispatcher'),
    assessor: await createUser(target, `${prefix}-assessor`, 'assessor'),
    approver: await createUser(target, `${prefix}-approver`, 'approver'),
    finance: await createUser(target, `${prefix}-finance`, 'finance'),
    none: null, inactive,
  };
  const tent = world.categories.find((c) => !c.lotTracked)!.code;
  const water = world.categories.find((c) => c.lotTracked)!.code;
  const lot = world.lots[0]!;
  const post = async (path: string, body: unknown) => {
    const reply = await target.request('POST', path, { body });
    if (reply.status !== 201) throw new Error(`fixture POST ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.id as string;
  };
  await post('/receipts', { warehouse: own, source: { kind: 'PROCUREMENT', name: '供应商' }, lines: [{ category: tent, quantity: '1000' }, { category: water, quantity: '100', lot: lot.lot, expiresOn: lot.expiresOn }] });
  await post('/receipts', { warehouse: third, source: { kind: 'PROCUREMENT', name: '供应商' }, lines: [{ category: tent, quantity: '1000' }] });
  const ids = {
    own, other, third, tent, water, lot: lot.lot,
    document: await post('/receipts', { warehouse: own, source: { kind: 'DONATION', name: '捐赠人' }, lines: [{ category: tent, quantity: '5' }] }),
    // Transfers with the third warehouse, which "other" does not keep.
    outgoing: await post('/transfers', { from: own, to: third, lines: [{ category: tent, quantity: '1' }] }),
    incoming: await post('/transfers', { from: third, to: own, lines: [{ category: tent, quantity: '1' }] }),
    stocktake: await post('/stocktakes', { warehouse: own }),
    // An order holding one tent in the keeper's warehouse (all three are equally near, so the first by code).
    allocation: await post('/allocations', { destination: { name: `${prefix}-防疫卡点` }, lines: [{ category: tent, quantity: '1' }] }),
    today: todayInCity(), yesterday: addDays(todayInCity(), -1),
  };
  return { world, tokens, ids };
}

interface Probe {
  path: string;
  body?: unknown;
  raw?: string;
}

/** Concrete requests for routes whose answer depends on the warehouse; others get placeholders. */
function probeFor(route: string, fx: MatrixFixture, role: MatrixRole, n: number): Probe {
  const { ids } = fx;
  const [method, template] = route.split(' ') as [string, string];
  const fill = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => ({ id: '999999', name: `${fx.world.prefix}-nobody`, code: ids.own, category: ids.water, lot: ids.lot })[name] ?? '999999');
  const line = { category: ids.tent, quantity: '1' };
  switch (route) {
    case 'POST /users': return { path: '/users', body: { name: `${fx.world.prefix}-new-${role}-${n}`, role: 'finance' } };
    case 'POST /receipts': return { path: '/receipts', body: { warehouse: ids.own, source: { kind: 'PROCUREMENT', name: '供应商' }, lines: [line] } };
    case 'POST /write-offs': return { path: '/write-offs', body: { warehouse: ids.own, reason: 'DAMAGE', lines: [line] } };
    case 'POST /transfers': return { path: '/transfers', body: { from: ids.own, to: ids.other, lines: [line] } };
    case 'POST /transfers/:id/receive': return { path: `/transfers/${ids.incoming}/receive`, body: { lines: [{ category: ids.tent, received: '1' }] } };
    case 'POST /transfers/:id/cancel': return { path: `/transfers/${ids.outgoing}/cancel`, body: {} };
    case 'GET /docs/:file': return { path: '/docs/swagger-ui.css' };
    case 'GET /transfers': return { path: `/transfers?warehouse=${ids.own}` };
    case 'GET /transfers/:id': return { path: `/transfers/${ids.outgoing}` };
    case 'POST /stocktakes': return { path: '/stocktakes', body: { warehouse: ids.own } };
    case 'POST /stocktakes/:id/counts': return { path: `/stocktakes/${ids.stocktake}/counts`, body: { lines: [{ category: ids.tent, counted: '1000' }] } };
    case 'POST /stocktakes/:id/post': return { path: `/stocktakes/${ids.stocktake}/post`, body: {} };
    case 'GET /stocktakes/:id': return { path: `/stocktakes/${ids.stocktake}` };
    case 'POST /documents/:id/reverse': return { path: `/documents/${ids.document}/reverse`, body: { reason: '权限矩阵' } };
    case 'GET /documents/:id': return { path: `/documents/${ids.document}` };
    case 'GET /balances': return { path: `/balances?warehouse=${ids.own}` };
    case 'GET /ledger': return { path: `/ledger?category=${ids.tent}&warehouse=${ids.own}` };
    case 'GET /lots': return { path: `/lots?category=${ids.water}&warehouse=${ids.own}` };
    case 'POST /lots/:category/:lot/status': return { path: `/lots/${ids.water}/${ids.lot}/status`, body: { status: 'AVAILABLE', reason: '权限矩阵' } };
    case 'GET /quotas': return { path: `/quotas?warehouse=${ids.own}` };
    case 'PUT /quotas': return { path: '/quotas', body: { warehouse: ids.own, category: ids.tent, quantity: '10' } };
    case 'GET /alerts/below-quota': return { path: `/alerts/below-quota?warehouse=${ids.own}` };
    case 'GET /reports/:name.xlsx': return { path: `/reports/stock-ledger.xlsx?from=${ids.yesterday}&to=${ids.today}&warehouse=${ids.own}` };
    case 'GET /alerts/expiring': return { path: `/alerts/expiring?warehouse=${ids.own}` };
    // The current month: a close is refused (409, it has not ended) and a reopen too (it is not closed),
    // so the probe never changes the periods the other rows post into.
    case 'POST /periods/:period/close': return { path: `/periods/${ids.today.slice(0, 7)}/close`, body: {} };
    case 'POST /periods/:period/reopen': return { path: `/periods/${ids.today.slice(0, 7)}/reopen`, body: { reason: '权限矩阵' } };
    case 'GET /periods/:period/history': return { path: `/periods/${ids.today.slice(0, 7)}/history` };
    case 'GET /allocations/:id': return { path: `/allocations/${ids.allocation}` };
    case 'GET /allocations/:id/pick-list': return { path: `/allocations/${ids.allocation}/pick-list?warehouse=${ids.own}` };
    case 'GET /allocations/:id/pick-list.xlsx': return { path: `/allocations/${ids.allocation}/pick-list.xlsx?warehouse=${ids.own}` };
    case 'POST /allocations/:id/dispatch': return { path: `/allocations/${ids.allocation}/dispatch`, body: { warehouse: ids.own } };
    case 'POST /imports/catalog': case 'POST /imports/warehouses': case 'POST /imports/opening-stock': case 'POST /imports/quotas': case 'POST /imports/kits':
      return { path: `${template}?dryRun=true`, raw: '' };
    default: return method === 'GET' ? { path: fill(template) } : { path: fill(template), body: {} };
  }
}

export interface MatrixReport {
  routes: number;
  checked: number;
  failures: string[];
}

/** Sends every route as every role and compares with the table; a route without a row is a failure. */
export async function checkPermissions(target: Target, fx: MatrixFixture, openapi: { paths: Record<string, Record<string, unknown>> }): Promise<MatrixReport> {
  const matrix = permissionMatrix();
  const routes = routesOf(openapi);
  const failures: string[] = [];
  let checked = 0;
  for (const route of routes) if (!matrix.has(route)) failures.push(`${route}: declared by the service but missing from the permission table`);
  for (const route of matrix.keys()) if (!routes.includes(route)) failures.push(`${route}: in the permission table but not served`);
  let n = 0;
  for (const route of routes) {
    const row = matrix.get(route);
    if (!row) continue;
    const method = route.split(' ')[0]!;
    // Deny-expected roles first, so a permitted role cannot use up a one-time state (a cancel, a post) before them.
    const order = [...ROLES].sort((a, b) => Number(row.expected[a] === 'ok') - Number(row.expected[b] === 'ok'));
    for (const role of order) {
      const probe = probeFor(route, fx, role, ++n);
      const reply = await target.request(method, probe.path, {
        token: fx.tokens[role], ...(probe.raw !== undefined ? { raw: probe.raw } : probe.body !== undefined ? { body: probe.body } : {}),
      });
      checked++;
      const expected = row.expected[role];
      const got = reply.status === 401 ? '401' : reply.status === 403 ? '403' : reply.status < 500 ? 'ok' : String(reply.status);
      if (got !== expected) failures.push(`${route} as ${role}: expected ${expected}, got ${reply.status} ${JSON.stringify(reply.body).slice(0, 160)}`);
    }
  }
  return { routes: routes.length, checked, failures };
}
