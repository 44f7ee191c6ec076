import type { Services } from '../../services.js';
import { ok, route } from '../route.js';
import { Degraded, Health, OpenApiDocument } from '../replies/system.replies.js';

export function systemRoutes(services: Services, openApi: () => object) {
  return [
    route({
      method: 'get', path: '/health', tag: 'system', roles: 'public', summary: 'Service and database health',
      reply: Health, otherReplies: { 503: Degraded }, responses: { 200: '{status, database: {ok, latencyMs}, backup: {configured, everySeconds, keep, running, lastGood: {file, snapshotAt, ageSeconds, bytes}, lastFailure}}', 503: 'the database does not answer' },
      async handle() {
        const started = Date.now();
        try {
          await services.orm.em.fork().execute('SELECT 1');
          const latencyMs = Date.now() - started;
          return ok({ status: 'ok', database: { ok: true, latencyMs }, backup: await services.backups.status() });
        } catch (error) {
          return { status: 503, body: { status: 'degraded', database: { ok: false, error: (error as Error).message } } };
        }
      },
    }),
    route({
      method: 'get', path: '/openapi.json', tag: 'system', roles: 'public', summary: 'This OpenAPI 3.1 document',
      reply: OpenApiDocument, responses: { 200: 'the document' },
      handle: async () => ok(openApi()),
    }),
    route({
      method: 'get', path: '/metrics', tag: 'system', roles: 'public',
      summary: 'Prometheus metrics: requests and latencies by route and status, the database pool, documents and movements posted, claims by status',
      produces: 'text/plain', responses: { 200: 'the Prometheus text format (version 0.0.4)' },
      async handle({ koa }) {
        const text = await services.metrics.render();
        koa.set('Content-Type', services.metrics.contentType);
        return ok(text);
      },
    }),
  ];
}
