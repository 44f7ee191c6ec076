import { CLAIM_READERS, eventInputSchema, eventListQuerySchema } from '../../claims/index.js';
import type { Services } from '../../services.js';
import { created, ok, route } from '../route.js';
import { Event, EventDetail, EventPage, EventSettlement, Products } from '../replies/claims.replies.js';

export function eventRoutes({ events, claims }: Services) {
  return [
    route({
      method: 'get', path: '/products', tag: 'products', roles: 'any', summary: 'The insurance products, every version, with their terms',
      reply: Products, responses: { 200: '{items: [{code, name, version, validFrom, validTo, eventTypes, benefits, limits...}]}' },
      handle: async () => ok(events.listProducts()),
    }),
    route({
      method: 'post', path: '/events', tag: 'events', roles: ['admin', 'assessor'], body: eventInputSchema,
      summary: 'Record an insurance event (typhoon, fire, stampede, criminal case ...) once; claims hang on it',
      reply: Event, responses: { 201: '{id, type, typeLabel, name, occurredOn, district}' },
      handle: async ({ actor, body }) => created(await events.create(actor, body)),
    }),
    route({
      method: 'get', path: '/events', tag: 'events', roles: CLAIM_READERS, query: eventListQuerySchema,
      summary: 'Events by type, district and date', reply: EventPage, responses: { 200: '{items, total}' },
      handle: async ({ actor, query }) => ok(await events.list(actor, query)),
    }),
    route({
      method: 'get', path: '/events/:id', tag: 'events', roles: CLAIM_READERS,
      summary: 'One event with approved, held and waiting totals per product against its per-event limit',
      reply: EventDetail, responses: { 200: '{id, type, name, occurredOn, district, totals: [{product, perEventLimit, approved, held, awaitingApproval, remaining}]}' },
      handle: async ({ actor, params }) => ok(await events.get(actor, params.id!)),
    }),
    route({
      method: 'post', path: '/events/:id/settle', tag: 'events', roles: ['finance'],
      summary: 'Share the remainder of the per-event limit among the held claims pro rata, each item rounded down to the fen',
      reply: EventSettlement, responses: { 200: '{event, settlements: [{product, perEventLimit, approvedBefore, remainder, claims: [{id, number, assessed, settled, items}], total}]}' },
      handle: async ({ actor, params }) => ok(await claims.settleEvent(actor, params.id!)),
    }),
  ];
}
