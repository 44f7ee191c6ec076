import type { Services } from '../../services.js';
import { STOCK_LEVEL_READERS, balancesQuery, expiringQuery, ledgerQuery, lotStatusBody, quotaBody, warehouseFilterQuery } from '../../stock/index.js';
import { z } from 'zod';
import { declaredCharset, dryRunQuery, ok, route } from '../route.js';
import { Balances, BelowQuota, Expiring, ImportResult, Ledger, LedgerCheck, LedgerVerify, Lot, Lots, Quota, Quotas } from '../replies/stock.replies.js';

const READERS = ['admin', 'keeper', 'finance'] as const;
const IMPORT_REPLY = '{kind, rows, inserted, updated, unchanged, dryRun, encoding}';

/** Balances, the 台帐, the audits, lots, quotas and alerts, and the stock CSV imports. */
export function ledgerRoutes({ stock }: Services, maxRows: number) {
  return [
    route({
      method: 'get', path: '/balances', tag: 'ledger', roles: STOCK_LEVEL_READERS, summary: 'Stock per warehouse, category and lot; asOf=YYYY-MM-DD sums the ledger up to that day',
      query: balancesQuery, reply: Balances, responses: { 200: '{items: [{warehouse, category, lot, onHand, reserved, available}], total, asOf}' },
      handle: async ({ actor, query }) => ok(await stock.balances(actor, query)),
    }),
    route({
      method: 'get', path: '/ledger', tag: 'ledger', roles: READERS, summary: 'The 台帐 of a category (in one warehouse, or in all): opening, closing, and movements with running balance',
      query: ledgerQuery, reply: Ledger, responses: { 200: '{category, warehouse, from, to, opening, closing, total, items}' },
      handle: async ({ actor, query }) => ok(await stock.ledger(actor, query)),
    }),
    route({
      method: 'get', path: '/ledger/check', tag: 'ledger', roles: ['admin', 'finance'], summary: 'Recompute every projection from the movements and list each discrepancy',
      reply: LedgerCheck, responses: { 200: '{ok, discrepancies}' },
      handle: async ({ actor }) => ok(await stock.check(actor)),
    }),
    route({
      method: 'get', path: '/ledger/verify', tag: 'ledger', roles: ['admin', 'finance'], summary: 'Recompute every hash chain and compare it with its head',
      reply: LedgerVerify, responses: { 200: '{ok, chains, movements, problems}' },
      handle: async ({ actor }) => ok(await stock.verify(actor)),
    }),
    route({
      method: 'get', path: '/lots', tag: 'ledger', roles: STOCK_LEVEL_READERS, summary: 'Lots of a category with status and stock per warehouse',
      query: z.object({ category: z.string().min(1).max(32), warehouse: z.string().min(1).max(32).optional() }),
      reply: Lots, responses: { 200: '{items: [{category, lot, expiresOn, status, effectiveStatus, statusReason, stock}]}' },
      handle: async ({ actor, query }) => ok(await stock.lots.list(actor, query.category, query.warehouse)),
    }),
    route({
      method: 'post', path: '/lots/:category/:lot/status', tag: 'ledger', roles: ['admin', 'keeper'], summary: 'Quarantine, release or expire a lot (in every warehouse)',
      body: lotStatusBody, reply: Lot, responses: { 200: 'the lot' },
      handle: async ({ actor, params, body }) => ok(await stock.lots.setStatus(actor, params.category!, params.lot!, body.status, body.reason)),
    }),
    route({
      method: 'put', path: '/quotas', tag: 'ledger', roles: ['admin'], summary: 'Set the reserve quota (储备定额) of a category in a warehouse',
      body: quotaBody, reply: Quota, responses: { 200: '{warehouse, category, quantity}' },
      handle: async ({ actor, body }) => ok(await stock.quotas.set(actor, body)),
    }),
    route({
      method: 'get', path: '/quotas', tag: 'ledger', roles: READERS, summary: 'Reserve quotas',
      query: warehouseFilterQuery, reply: Quotas, responses: { 200: '{items: [{warehouse, category, quantity}]}' },
      handle: async ({ actor, query }) => ok(await stock.quotas.list(actor, query)),
    }),
    route({
      method: 'get', path: '/alerts/below-quota', tag: 'ledger', roles: READERS, summary: 'Categories whose usable stock (not reserved, quarantined or expired) is below quota',
      query: warehouseFilterQuery, reply: BelowQuota, responses: { 200: '{items: [{warehouse, category, name, unit, quota, onHand, usable, shortfall}]}' },
      handle: async ({ actor, query }) => ok(await stock.quotas.belowQuota(actor, query.warehouse)),
    }),
    route({
      method: 'get', path: '/alerts/expiring', tag: 'ledger', roles: STOCK_LEVEL_READERS, summary: 'Lots on hand expiring within `days` (default 90), expired ones included',
      query: expiringQuery, reply: Expiring, responses: { 200: '{days, items: [{warehouse, category, name, lot, expiresOn, daysLeft, status, onHand}]}' },
      handle: async ({ actor, query }) => ok(await stock.quotas.expiring(actor, query.days, query.warehouse)),
    }),
    route({
      method: 'post', path: '/imports/opening-stock', tag: 'imports', roles: ['admin'], csvBody: true, query: dryRunQuery,
      summary: 'Import opening stock (仓库编码,物资编码,批次号,有效期至,数量,单价); all rows or none; one OPENING document per warehouse',
      reply: ImportResult, responses: { 200: IMPORT_REPLY },
      handle: async ({ actor, raw, query, koa }) => ok(await stock.importOpeningStock(actor, raw, { dryRun: query.dryRun, maxRows, charset: declaredCharset(koa), source: 'http' })),
    }),
    route({
      method: 'post', path: '/imports/quotas', tag: 'imports', roles: ['admin'], csvBody: true, query: dryRunQuery,
      summary: 'Import reserve quotas (仓库编码,物资编码,储备定额); all rows or none',
      reply: ImportResult, responses: { 200: IMPORT_REPLY },
      handle: async ({ actor, raw, query, koa }) => ok(await stock.importQuotas(actor, raw, { dryRun: query.dryRun, maxRows, charset: declaredCharset(koa), source: 'http' })),
    }),
  ];
}
