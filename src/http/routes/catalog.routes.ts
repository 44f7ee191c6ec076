import type { Services } from '../../services.js';
import { declaredCharset, dryRunQuery, ok, route, searchQuery } from '../route.js';
import { Category, CategoryPage, Warehouse, WarehousePage } from '../replies/system.replies.js';
import { ImportResult } from '../replies/stock.replies.js';

export function catalogRoutes({ catalog }: Services, maxRows: number) {
  return [
    route({
      method: 'get', path: '/categories', tag: 'catalog', roles: 'any', summary: 'Search supply categories by code, name or class',
      query: searchQuery, reply: CategoryPage, responses: { 200: '{items, total}' },
      handle: async ({ query }) => ok(await catalog.listCategories(query.q, query)),
    }),
    route({
      method: 'get', path: '/categories/:code', tag: 'catalog', roles: 'any', summary: 'One supply category',
      reply: Category, responses: { 200: '{code, name, classPath, unit, scale, lotTracked, spec}' },
      handle: async ({ params }) => ok(await catalog.getCategory(params.code!)),
    }),
    route({
      method: 'get', path: '/warehouses', tag: 'catalog', roles: 'any', summary: 'Search warehouses by code, name, district or address (keepers see their own)',
      query: searchQuery, reply: WarehousePage, responses: { 200: '{items, total}' },
      handle: async ({ actor, query }) => ok(await catalog.listWarehouses(actor, query.q, query)),
    }),
    route({
      method: 'get', path: '/warehouses/:code', tag: 'catalog', roles: 'any', summary: 'One warehouse',
      reply: Warehouse, responses: { 200: '{code, name, level, district, address, lat, lon, active}' },
      handle: async ({ actor, params }) => ok(await catalog.getWarehouse(actor, params.code!)),
    }),
    route({
      method: 'post', path: '/imports/catalog', tag: 'imports', roles: ['admin'], csvBody: true, query: dryRunQuery,
      summary: 'Import the supply catalog from CSV (UTF-8 or GB18030, Chinese or English headers); all rows or none',
      reply: ImportResult, responses: { 200: '{kind, rows, inserted, updated, unchanged, dryRun, encoding}' },
      handle: async ({ actor, raw, query, koa }) => ok(await catalog.importCategories(actor, raw, { dryRun: query.dryRun, maxRows, charset: declaredCharset(koa), source: 'http' })),
    }),
    route({
      method: 'post', path: '/imports/warehouses', tag: 'imports', roles: ['admin'], csvBody: true, query: dryRunQuery,
      summary: 'Import warehouses from CSV; all rows or none',
      reply: ImportResult, responses: { 200: '{kind, rows, inserted, updated, unchanged, dryRun, encoding}' },
      handle: async ({ actor, raw, query, koa }) => ok(await catalog.importWarehouses(actor, raw, { dryRun: query.dryRun, maxRows, charset: declaredCharset(koa), source: 'http' })),
    }),
  ];
}
