import { z } from 'zod';
import { ErrorReply, namedSchemas } from './replies/shared.js';
import type { RouteSpec } from './route.js';

/** Every tag a route may carry, with what it groups; a route with another tag fails the OpenAPI test. */
export const TAGS: Record<string, string> = {
  system: 'Health, metrics, this document, its reference page (/docs) and backups',
  users: 'Users, roles, warehouse scopes and API tokens',
  catalog: 'Supply categories (物资目录) and warehouses (仓库)',
  imports: 'CSV imports (UTF-8 or GB18030, Chinese or English headers); all rows or none, `dryRun=true` checks only',
  stock: 'Stock documents (入库, 报损, 移库, 盘点, 冲销): every POST posts one document to the append-only ledger',
  ledger: 'Balances, the 台帐, ledger audits, lots, reserve quotas (储备定额) and alerts',
  periods: 'Accounting periods (会计期间) and month-end close (月结)',
  allocations: 'Kits (一键定制) and allocation orders (调拨): reserve, dispatch, deliver, pick lists',
  products: 'The public disaster insurance products (灾害民生综合保险) and their terms',
  events: 'Insurance events (typhoon, fire, …) that claims hang on, and per-event limits',
  claims: 'Claims (理赔): intake, survey, assessment, approval, payment, personal-data access',
  payouts: 'Payout batches and bank files, confirmations, returns, recoveries, summaries and loss ratios',
  reports: 'Excel reports (报表), streamed as xlsx',
};

/** The error replies, declared once in components.responses and referred to by every operation. */
const ERRORS: Record<string, { name: string; description: string; code: string; message: string }> = {
  400: { name: 'Malformed', description: 'The body is not valid JSON (or CSV) or not in the declared charset', code: 'MALFORMED', message: 'the body is not valid JSON' },
  401: { name: 'Unauthenticated', description: 'No token, or an unknown, revoked or expired one', code: 'UNAUTHENTICATED', message: 'a valid API token is required (Authorization: Bearer <token>)' },
  403: { name: 'Forbidden', description: 'The role or the warehouse scope does not allow this', code: 'FORBIDDEN', message: 'role keeper may not GET /users; allowed: admin' },
  404: { name: 'NotFound', description: 'What the path names does not exist', code: 'NOT_FOUND', message: 'claim LP00000042 does not exist' },
  409: { name: 'Conflict', description: 'The request conflicts with the stored state (or with an Idempotency-Key already used)', code: 'INSUFFICIENT_STOCK', message: 'not enough stock' },
  413: { name: 'TooLarge', description: 'The body exceeds JSON_MAX_BYTES (or IMPORT_MAX_BYTES / IMPORT_MAX_ROWS for a CSV)', code: 'TOO_LARGE', message: 'the body exceeds 2097152 bytes' },
  422: { name: 'Invalid', description: 'The input is invalid; each detail names the field and the reason', code: 'VALIDATION_FAILED', message: 'invalid request: quantity: expected a quantity like "12.5"' },
  429: { name: 'TooManyAttempts', description: 'Too many failed token checks from this address; see Retry-After', code: 'TOO_MANY_ATTEMPTS', message: 'too many failed token checks; try again in 42 s' },
  431: { name: 'HeadersTooLarge', description: 'The request line and headers exceed 16 KiB', code: 'HEADERS_TOO_LARGE', message: 'the request line and headers exceed 16 KiB; send long values in a POST body' },
};

/** Headers that come with an error status. */
const ERROR_HEADERS: Record<string, object> = {
  401: { 'WWW-Authenticate': { description: 'Always `Bearer`', schema: { type: 'string', enum: ['Bearer'] } } },
  429: { 'Retry-After': { description: 'Seconds until the window ends and tokens are checked again', schema: { type: 'integer', minimum: 1 } } },
};

function errorResponse(status: string): object {
  const e = ERRORS[status]!;
  const details = status === '422' ? [{ field: 'lines[0].quantity', reason: 'expected a quantity like "12.5" (digits, optional decimal point, up to 3 decimals)' }] : [];
  return {
    description: e.description,
    ...(ERROR_HEADERS[status] ? { headers: ERROR_HEADERS[status] } : {}),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: { code: e.code, message: e.message, details } } } },
  };
}

/** Which error statuses a route can answer with, from what it takes and who may call it. */
function errorStatuses(spec: RouteSpec): string[] {
  const hasBody = spec.method === 'post' || spec.method === 'put';
  const hasParams = spec.path.includes(':');
  const statuses = new Set<number>([431]);
  if (hasBody) [400, 409, 413, 422].forEach((s) => statuses.add(s));
  if (spec.roles !== 'public') [401, 403, 429].forEach((s) => statuses.add(s));
  if (hasParams) [404, 422].forEach((s) => statuses.add(s));
  if (spec.query) statuses.add(422);
  for (const status of Object.keys(spec.responses).map(Number)) if (status >= 400 && status in ERRORS && !spec.otherReplies?.[status]) statuses.add(status);
  return [...statuses].sort().map(String);
}

/** Spreadsheets and CSV files are binary downloads; pages, scripts and the metrics text are text. */
function fileSchema(type: string): object {
  return /^text\/(plain|html|css)$|javascript$/.test(type) ? { type: 'string' } : { type: 'string', format: 'binary' };
}

/** What a reference page reads: `format` says what a date is, and "any integer" needs no ±2⁵³ bounds. */
function tidy({ jsonSchema }: { jsonSchema: Record<string, unknown> }): void {
  if (jsonSchema.format === 'date' || jsonSchema.format === 'date-time') delete jsonSchema.pattern;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

function schemaOf(type: z.ZodType, io: 'input' | 'output' = 'input'): object {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(type, { io, unrepresentable: 'any', override: tidy }) as Record<string, unknown>;
  return schema;
}

/** /claims/:id → /claims/{id} */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const pascal = (text: string) => text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

/** Stable camelCase from method and path: GET /claims/:id/history → getClaimsByIdHistory. */
export function operationIdOf(spec: Pick<RouteSpec, 'method' | 'path' | 'operationId'>): string {
  if (spec.operationId) return spec.operationId;
  const words = spec.path.split('/').filter(Boolean).map((segment) => segment.replace(/^:([A-Za-z0-9_]+)/, 'by-$1'));
  return spec.method + pascal(words.join('-'));
}

/**
 * JSON Schemas of every reply: the named building blocks (src/http/replies) and one per route reply
 * (`<OperationId>Reply`), converted together so that named schemas become `$ref`s.
 */
function replySchemas(routes: readonly RouteSpec[]): { schemas: Record<string, object>; refOf(type: z.ZodType): object } {
  const registry = z.registry<{ id: string; description?: string }>();
  const add = (type: z.ZodType, id: string) => {
    if (!registry.has(type)) registry.add(type, namedSchemas.get(type) ?? { id });
  };
  add(ErrorReply, 'Error');
  for (const spec of routes) {
    const name = pascal(operationIdOf(spec));
    if (spec.reply) add(spec.reply, `${name}Reply`);
    for (const [status, type] of Object.entries(spec.otherReplies ?? {})) add(type, `${name}Reply${status}`);
  }
  // Named schemas used only inside route replies are found through the global named registry.
  const converted = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
    override: tidy,
  }) as { schemas: Record<string, Record<string, unknown>> };
  const schemas: Record<string, object> = {};
  for (const [id, { $id: _id, $schema: _schema, ...schema }] of Object.entries(converted.schemas)) schemas[id] = schema;
  return { schemas, refOf: (type) => ({ $ref: `#/components/schemas/${registry.get(type)!.id}` }) };
}

function operation(spec: RouteSpec, refOf: (type: z.ZodType) => object): object {
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
    const other = spec.otherReplies?.[Number(status)];
    if (Number(status) >= 400 && !other) continue;
    if (spec.produces && Number(status) < 400) responses[status] = { description, content: Object.fromEntries([spec.produces].flat().map((type) => [type, { schema: fileSchema(type) }])) };
    else {
      const type = other ?? spec.reply;
      responses[status] = { description, content: { 'application/json': { schema: type ? refOf(type) : {} } } };
    }
  }
  for (const status of errorStatuses(spec)) {
    const described = Number(status) in spec.responses ? spec.responses[Number(status)] : undefined;
    responses[status] = described ? { ...errorResponse(status), description: described } : { $ref: `#/components/responses/${ERRORS[status]!.name}` };
  }
  const body = spec.csvBody
    ? { required: true, content: { 'text/csv': { schema: { type: 'string' } } } }
    : spec.body
      ? { required: true, content: { 'application/json': { schema: schemaOf(spec.body) } } }
      : undefined;
  return {
    operationId: operationIdOf(spec),
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
  const { schemas, refOf } = replySchemas(routes);
  const paths: Record<string, Record<string, object>> = {};
  for (const spec of routes) {
    const path = openApiPath(spec.path);
    paths[path] ??= {};
    paths[path][spec.method] = operation(spec, refOf);
  }
  const used = new Set(routes.map((spec) => spec.tag));
  return {
    openapi: '3.1.0',
    info: {
      title: '应急物资台帐与灾害保险理赔 API (relief supply ledger and disaster insurance claims)',
      version,
      description: 'Quantities and money are decimal strings, dates YYYY-MM-DD in the city\'s time zone; lists take `limit` and `offset` and reply `{items, total}`; every error is `{error: {code, message, details}}`; every POST honours `Idempotency-Key`.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'This service (the same origin as this document)' }],
    tags: Object.entries(TAGS).filter(([name]) => used.has(name)).map(([name, description]) => ({ name, description })),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (rl_…) issued by an admin: `Authorization: Bearer <token>`' } },
      schemas,
      responses: Object.fromEntries(Object.keys(ERRORS).map((status) => [ERRORS[status]!.name, errorResponse(status)])),
    },
    security: [{ bearer: [] }],
    paths,
  };
}
