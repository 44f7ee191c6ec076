import type { Services } from '../../services.js';
import {
  countsBody, noteBody, receiptBody, reverseBody, stocktakeBody, transferBody, transferReceiveBody, transfersQuery, writeOffBody,
} from '../../stock/index.js';
import { created, ok, route } from '../route.js';
import { OpenedStocktake, PostedStocktake, ReversalDocument, ShippedTransfer, StockDocument, Stocktake, Transfer, TransferPage } from '../replies/stock.replies.js';

const POSTERS = ['admin', 'keeper'] as const;
const READERS = ['admin', 'keeper', 'finance'] as const;
const DOCUMENT = '{id, type, warehouse, counterpartWarehouse, source, reason, transferId, stocktakeId, reversesDocumentId, occurredAt, recordedAt, recordedBy, lines}';

/** The stock documents: every POST posts (or prepares) one document and replies 201 {id, ...}. */
export function stockRoutes({ stock }: Services) {
  return [
    route({
      method: 'post', path: '/receipts', tag: 'stock', roles: POSTERS, summary: 'Receive procurement (采购) or a donation (捐赠) into a warehouse',
      body: receiptBody, reply: StockDocument, responses: { 201: DOCUMENT },
      handle: async ({ actor, body }) => created(await stock.documents.receive(actor, body)),
    }),
    route({
      method: 'post', path: '/write-offs', tag: 'stock', roles: POSTERS, summary: 'Write off damaged or expired stock (报损/报废); a lot-tracked line without a lot takes first-expiring-first-out',
      body: writeOffBody, reply: StockDocument, responses: { 201: DOCUMENT },
      handle: async ({ actor, body }) => created(await stock.documents.writeOff(actor, body)),
    }),
    route({
      method: 'post', path: '/transfers', tag: 'stock', roles: POSTERS, summary: 'Ship a transfer (移库) from one warehouse into transit; lots first-expiring-first-out unless named',
      body: transferBody, reply: ShippedTransfer, responses: { 201: `${DOCUMENT} + status; id is the transfer id` },
      handle: async ({ actor, body }) => created(await stock.transfers.ship(actor, body)),
    }),
    route({
      method: 'post', path: '/transfers/:id/receive', tag: 'stock', roles: POSTERS, summary: 'Receive a transfer at its destination: every shipped line with received (and damaged); the rest is a shortfall',
      body: transferReceiveBody, reply: StockDocument, responses: { 201: DOCUMENT },
      handle: async ({ actor, params, body }) => created(await stock.transfers.receive(actor, params.id!, body)),
    }),
    route({
      method: 'post', path: '/transfers/:id/cancel', tag: 'stock', roles: POSTERS, summary: 'Cancel a transfer before it is received: the goods return to the origin',
      body: noteBody, reply: StockDocument, responses: { 201: DOCUMENT },
      handle: async ({ actor, params, body }) => created(await stock.transfers.cancel(actor, params.id!, body.note ?? null)),
    }),
    route({
      method: 'get', path: '/transfers', tag: 'stock', roles: READERS, summary: 'Transfers from or to a warehouse',
      query: transfersQuery, reply: TransferPage, responses: { 200: '{items: [{id, from, to, status, settledBy}], total}' },
      handle: async ({ actor, query }) => ok(await stock.transfers.list(actor, query)),
    }),
    route({
      method: 'get', path: '/transfers/:id', tag: 'stock', roles: READERS, summary: 'One transfer and its status',
      reply: Transfer, responses: { 200: '{id, from, to, status, settledBy}' },
      handle: async ({ actor, params }) => ok(await stock.transfers.get(actor, params.id!)),
    }),
    route({
      method: 'post', path: '/stocktakes', tag: 'stock', roles: POSTERS, summary: 'Start a stocktake (盘点): snapshots the book of the warehouse',
      body: stocktakeBody, reply: OpenedStocktake, responses: { 201: '{id, warehouse, status, lines}' },
      handle: async ({ actor, body }) => created(await stock.stocktakes.open(actor, body.warehouse)),
    }),
    route({
      method: 'post', path: '/stocktakes/:id/counts', tag: 'stock', roles: POSTERS, summary: 'Record counts; counting a line again replaces the earlier count',
      body: countsBody, reply: Stocktake, responses: { 201: '{id, warehouse, status, documentId, lines: [{category, lot, book, counted}]}' },
      handle: async ({ actor, params, body }) => created(await stock.stocktakes.count(actor, params.id!, body)),
    }),
    route({
      method: 'post', path: '/stocktakes/:id/post', tag: 'stock', roles: POSTERS, summary: 'Post counted − book differences onto the current balance',
      reply: PostedStocktake, responses: { 201: `${DOCUMENT} + differences` },
      handle: async ({ actor, params }) => created(await stock.stocktakes.post(actor, params.id!)),
    }),
    route({
      method: 'get', path: '/stocktakes/:id', tag: 'stock', roles: READERS, summary: 'One stocktake with its book and counts',
      reply: Stocktake, responses: { 200: '{id, warehouse, status, documentId, lines}' },
      handle: async ({ actor, params }) => ok(await stock.stocktakes.get(actor, params.id!)),
    }),
    route({
      method: 'post', path: '/documents/:id/reverse', tag: 'stock', roles: POSTERS, summary: 'Post the exact opposite of a document, dated today; at most once per document',
      body: reverseBody, reply: ReversalDocument, responses: { 201: DOCUMENT },
      handle: async ({ actor, params, body }) => created(await stock.documents.reverse(actor, params.id!, body.reason)),
    }),
    route({
      method: 'get', path: '/documents/:id', tag: 'stock', roles: READERS, summary: 'One stock document with its lines',
      reply: StockDocument, responses: { 200: `${DOCUMENT} + reversedByDocumentId` },
      handle: async ({ actor, params }) => ok(await stock.document(actor, params.id!)),
    }),
  ];
}
