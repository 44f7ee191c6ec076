import type { Services } from '../../services.js';
import {
  allocationBody, allocationsQuery, cancelBody, deliverBody, dispatchBody, kitBody, kitsQuery, pickListQuery, summaryQuery,
} from '../../allocation/index.js';
import { created, declaredCharset, dryRunQuery, ok, route } from '../route.js';
import { Allocation, AllocationPage, AllocationPreview, AllocationSummary, Dispatched, Expired, Kit, KitPage, PickList, SavedKit } from '../replies/allocation.replies.js';
import { ImportResult } from '../replies/stock.replies.js';

const PLANNERS = ['admin', 'dispatcher'] as const;
const READERS = ['admin', 'dispatcher', 'keeper', 'finance'] as const;
const ORDER = '{id, number, status, destination, priority, allOrNothing, kit, emergencyOverride, lines: [{category, requested, reserved, shortfall, dispatched, received, picks: [{warehouse, lot, expiresOn, quantity, open, dispatched, protected}]}], dispatches}';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Kits (一键定制) and allocation orders (调拨): reserve, approve an override, dispatch, cancel, deliver, pick lists, summary. */
export function allocationRoutes({ allocations }: Services, maxRows: number) {
  return [
    route({
      method: 'get', path: '/kits', tag: 'allocations', roles: READERS, summary: 'Kits (latest versions): named templates of quantities per N people',
      query: kitsQuery, reply: KitPage, responses: { 200: '{items: [{code, name, version, per, lines}], total}' },
      handle: async ({ actor, query }) => ok(await allocations.kits.list(actor, query)),
    }),
    route({
      method: 'get', path: '/kits/:code', tag: 'allocations', roles: READERS, summary: 'The latest version of a kit',
      reply: Kit, responses: { 200: '{code, name, version, per, lines: [{category, quantity}]}' },
      handle: async ({ actor, params }) => ok(await allocations.kits.get(actor, params.code!)),
    }),
    route({
      method: 'post', path: '/kits', tag: 'allocations', roles: PLANNERS, summary: 'Save a kit; different content becomes a new version, the same content changes nothing',
      body: kitBody, reply: SavedKit, responses: { 201: '{code, name, version, per, lines, created}' },
      handle: async ({ actor, body }) => created(await allocations.kits.save(actor, body)),
    }),
    route({
      method: 'post', path: '/imports/kits', tag: 'imports', roles: PLANNERS, csvBody: true, query: dryRunQuery,
      summary: 'Import kits (套餐编码,套餐名称,适用人数,物资编码,数量), one row per kit line; all rows or none',
      reply: ImportResult, responses: { 200: '{kind, rows, inserted, updated, unchanged, dryRun, encoding}' },
      handle: async ({ actor, raw, query, koa }) => ok(await allocations.kits.importKits(actor, raw, { dryRun: query.dryRun, maxRows, charset: declaredCharset(koa), source: 'http' })),
    }),
    route({
      method: 'post', path: '/allocations', tag: 'allocations', roles: PLANNERS,
      summary: 'Order supplies to a destination (lines and/or a kit scaled to people): matched nearest warehouse first, FEFO, above reserve quotas, and reserved in one transaction; `dryRun=true` only shows that plan',
      body: allocationBody, query: dryRunQuery, reply: Allocation, otherReplies: { 200: AllocationPreview },
      responses: { 200: 'dryRun=true: the plan the same body would reserve now, writing nothing: {dryRun, outcome, reservesNow, covered, lines: [{category, name, requested, reserved, shortfall, picks: [{warehouse, warehouseName, lot, expiresOn, quantity, distanceKm}]}], warehouses}', 201: ORDER },
      handle: async ({ actor, body, query }) => (query.dryRun ? ok(await allocations.orders.preview(actor, body)) : created(await allocations.orders.create(actor, body))),
    }),
    route({
      method: 'get', path: '/allocations', tag: 'allocations', roles: READERS, summary: 'Allocation orders; keepers see those that take stock from their warehouses',
      query: allocationsQuery, reply: AllocationPage, responses: { 200: '{items: [{id, number, status, destination, district, priority, createdAt, expiresAt, lines}], total}' },
      handle: async ({ actor, query }) => ok(await allocations.list(actor, query)),
    }),
    route({
      method: 'get', path: '/allocations/summary', tag: 'allocations', roles: ['admin', 'dispatcher', 'finance'], summary: 'Quantities dispatched per destination and category (from the ledger)',
      query: summaryQuery, reply: AllocationSummary, responses: { 200: '{items: [{destination, category, quantity}], total}' },
      handle: async ({ actor, query }) => ok(await allocations.summary(actor, query)),
    }),
    route({
      method: 'post', path: '/allocations/expire-due', tag: 'allocations', roles: ['admin'],
      summary: 'Release every reservation past ALLOCATION_RESERVATION_HOURS now (the service also does this every minute and on start)',
      reply: Expired, responses: { 200: '{expired}' },
      handle: async () => ok({ expired: await allocations.orders.expireDue() }),
    }),
    route({
      method: 'get', path: '/allocations/:id', tag: 'allocations', roles: READERS, summary: 'One allocation order (id or DB… number)',
      reply: Allocation, responses: { 200: ORDER },
      handle: async ({ actor, params }) => ok(await allocations.get(actor, params.id!)),
    }),
    route({
      method: 'post', path: '/allocations/:id/approve-override', tag: 'allocations', roles: PLANNERS,
      summary: 'A second dispatcher or an admin approves the emergency override: what the order lacks is reserved from quota-protected stock',
      reply: Allocation, responses: { 201: ORDER },
      handle: async ({ actor, params }) => created(await allocations.orders.approveOverride(actor, params.id!)),
    }),
    route({
      method: 'post', path: '/allocations/:id/dispatch', tag: 'allocations', roles: ['admin', 'keeper'],
      summary: 'Ship what the order holds in the warehouse (or every warehouse the user keeps) to the destination: ALLOCATION documents, reservation released',
      body: dispatchBody, reply: Dispatched, responses: { 201: `${ORDER} + documents: [{warehouse, documentId}]` },
      handle: async ({ actor, params, body }) => created(await allocations.shipping.dispatch(actor, params.id!, body)),
    }),
    route({
      method: 'post', path: '/allocations/:id/cancel', tag: 'allocations', roles: PLANNERS, summary: 'Cancel an order: what it still holds is released',
      body: cancelBody, reply: Allocation, responses: { 201: ORDER },
      handle: async ({ actor, params, body }) => created(await allocations.orders.cancel(actor, params.id!, body.reason ?? null)),
    }),
    route({
      method: 'post', path: '/allocations/:id/deliver', tag: 'allocations', roles: PLANNERS, summary: 'Confirm delivery: received per dispatched category, a difference with its reason',
      body: deliverBody, reply: Allocation, responses: { 201: ORDER },
      handle: async ({ actor, params, body }) => created(await allocations.shipping.deliver(actor, params.id!, body)),
    }),
    route({
      method: 'get', path: '/allocations/:id/pick-list', tag: 'allocations', roles: READERS, summary: 'Pick list per warehouse (keepers: their own warehouses)',
      query: pickListQuery, reply: PickList, responses: { 200: '{allocation, warehouses: [{warehouse, name, lines: [{category, name, spec, unit, lot, expiresOn, quantity, dispatched}]}]}' },
      handle: async ({ actor, params, query }) => ok(await allocations.pickList(actor, params.id!, query.warehouse)),
    }),
    route({
      method: 'get', path: '/allocations/:id/pick-list.xlsx', tag: 'allocations', roles: READERS, summary: 'The printable pick list (拣货单), one A4 sheet per warehouse',
      query: pickListQuery, produces: XLSX, responses: { 200: 'xlsx workbook' },
      handle: async ({ actor, params, query, koa }) => {
        const { number, bytes } = await allocations.pickListXlsx(actor, params.id!, query.warehouse);
        koa.type = XLSX;
        koa.attachment(`${number}-pick-list.xlsx`);
        return ok(bytes);
      },
    }),
  ];
}
