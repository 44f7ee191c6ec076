import { z } from 'zod';
import type { RouteSpec } from './route.js';

const ERROR_REPLY = {
  description: 'Error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message', 'details'],
            properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: {} } },
          },
        },
      },
    },
  },
};

function schemaOf(type: z.ZodType): object {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return schema;
}

/** /claims/:id → /claims/{id} */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operation(spec: RouteSpec): object {
  const parameters: object[] = [...spec.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (spec.query) {
    const query = schemaOf(spec.query) as { properties?: Record<string, object>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  if (spec.method === 'post') {
    parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'Retrying with the same key and body returns the first reply; nothing is done twice.' });
  }
  const responses: Record<string, object> = {};
  for (const [status, description] of Object.entries(spec.responses)) {
    responses[status] = spec.produces ? { description, content: { [spec.produces]: { schema: { type: 'string', format: 'binary' } } } } : { description, content: { 'application/json': { schema: {} } } };
  }
  for (const status of ['400', '401', '403', '404', '409', '413', '422']) responses[status] = ERROR_REPLY;
  const body = spec.csvBody
    ? { required: true, content: { 'text/csv': { schema: { type: 'string' } } } }
    : spec.body
      ? { required: true, content: { 'application/json': { schema: schemaOf(spec.body) } } }
      : undefined;
  return {
    summary: spec.summary,
    tags: [spec.tag],
    description: spec.roles === 'public' ? 'No token needed.' : `Roles: ${spec.roles === 'any' ? 'any authenticated user' : spec.roles.join(', ')}.`,
    security: spec.roles === 'public' ? [] : [{ bearer: [] }],
    parameters,
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

export function buildOpenApi(routes: readonly RouteSpec[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const spec of routes) {
    const path = openApiPath(spec.path);
    paths[path] ??= {};
    paths[path][spec.method] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: { title: '应急物资台帐与灾害保险理赔 API (relief supply ledger and disaster insurance claims)', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
