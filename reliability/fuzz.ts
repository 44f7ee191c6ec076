/**
 * Fuzzing with fast-check of every route the OpenAPI document declares (it is generated from the route
 * specs, so a new route is fuzzed without a change here): hostile values in every path parameter, query
 * parameter and JSON body field, broken JSON, and hostile CSV files for the imports. Every reply must be
 * below 500 and, when it refuses, follow the error contract {error: {code, message, details: []}}; a
 * refusal must write nothing (a fingerprint of row counts is compared before and after).
 */
import fc from 'fast-check';
import { allowedRole, type MatrixRole } from './permissions.js';
import type { Reply, Target } from './target.js';

type Schema = Record<string, any>;
interface Operation {
  route: string;
  method: string;
  path: string;
  pathParams: string[];
  query: Record<string, Schema>;
  body?: Schema;
  csv: boolean;
}

export function operationsOf(openapi: { paths: Record<string, Record<string, any>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as { name: string; in: string; schema: Schema }[];
      const content = op.requestBody?.content ?? {};
      out.push({
        route: `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`,
        method: method.toUpperCase(), path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, p.schema])),
        body: content['application/json']?.schema,
        csv: 'text/csv' in content,
      });
    }
  }
  return out;
}

// --- hostile values ------------------------------------------------------------------------------

/** Marks a number written into the JSON text as it is (1e309 cannot pass through JSON.stringify). */
const RAW = '\u0001raw:';
export const FORMULAS = ['=HYPERLINK("http://example.invalid","点此")', "+cmd|' /C calc'!A0", '@SUM(1)', '-2+3', '=1+1'];
const NUMBER_TEXTS = ['1e309', '-1e309', '-0', '0.0001', '-1', '1e-7', '0x10', '１２', '1,000', '99999999999999999999999999999', '1.2.3', ' 1 ', 'NaN', 'Infinity', '', '.5', '5.'];
const SPECIAL = ['\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\udc00\ud800', '\u0007\u001b[31m红\u001b[0m', '\r\n', '\t', '\u202e反转', '\ufeff', '%00', '../../etc/passwd', "'; DROP TABLE users; --", '𠮷野家', 'ａｂｃ', ' ', '', 'null', 'true', '[]', '{}', '__proto__', 'constructor'];

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL, ...FORMULAS, ...NUMBER_TEXTS) },
  { weight: 3, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 70_000).chain((n) => fc.constantFrom('x'.repeat(n), '名'.repeat(n), '\u0000'.repeat(n))) },
);
/** Node's HTTP parser answers 431 without a body to a request line over 16 KiB, before any route runs: URLs stay below. */
const MAX_URL_PART = 4_000;
const urlString = hostileString.filter((s) => encodeHostile(s).length <= MAX_URL_PART);
const hostileNumber = fc.constantFrom<unknown>(`${RAW}1e309`, `${RAW}-1e309`, `${RAW}-0`, 0.0001, -1, 1.5, 2 ** 53 + 1, 0, 1e21, `${RAW}1E+400`);
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': '' }, ['\u0000']) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }) },
);

/** JSON text of a value with RAW-marked numbers written bare. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001raw:([^"]*)"/g, '$1');
}

/** Percent-encoding that also encodes lone surrogates (as the invalid UTF-8 bytes of the code unit). */
export function encodeHostile(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`.toUpperCase();
    } else out += encodeURIComponent(text[i]!);
  }
  return out;
}

// --- examples from the JSON schema, and mutations ----------------------------------------------------

function resolve(schema: Schema): Schema {
  if (schema.anyOf) return resolve(schema.anyOf.find((s: Schema) => s.type !== 'null') ?? schema.anyOf[0]);
  if (schema.oneOf) return resolve(schema.oneOf[0]);
  if (schema.allOf) return resolve(schema.allOf[0]);
  return schema;
}

/** A plausible value for a schema, so mutations reach past the first field. */
export function example(schema: Schema, depth = 0): unknown {
  const s = resolve(schema ?? {});
  if (s.enum) return s.enum[0];
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  switch (s.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
        if (depth < 4) out[name] = example(prop, depth + 1);
      }
      return out;
    }
    case 'array':
      return depth < 4 && s.items ? [example(s.items, depth + 1)] : [];
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'date' || /\\d\{4\}-/.test(s.pattern ?? '')) return '2026-01-01';
      return 'A'.repeat(Math.max(1, s.minLength ?? 1));
    default:
      return 'A';
  }
}

type PathStep = string | number;
function leafPaths(value: unknown, at: PathStep[] = []): PathStep[][] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => leafPaths(v, [...at, i]))];
  if (value && typeof value === 'object') return [at, ...Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...at, k]))];
  return [at];
}
function setAt(root: unknown, path: PathStep[], value: unknown, remove = false): unknown {
  if (path.length === 0) return value;
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) };
  const [head, ...rest] = path;
  if (rest.length === 0 && remove) {
    if (Array.isArray(copy)) copy.splice(head as number, 1);
    else delete copy[head as string];
  } else copy[head as string] = setAt(copy[head as string], rest, value, remove);
  return copy;
}

export interface FuzzInput {
  label: string;
  path: string;
  /** Exact bytes of the body. */
  body?: Buffer;
  contentType?: string;
}

function bodyInputs(base: unknown): fc.Arbitrary<{ label: string; text: string | Buffer }> {
  const paths = leafPaths(base);
  const fields = paths.filter((p) => p.length > 0);
  const removals: fc.Arbitrary<{ label: string; text: string | Buffer }>[] = fields.length
    ? [fc.constantFrom(...fields).map((p) => ({ label: `without ${p.join('.')}`, text: jsonText(setAt(base, p, undefined, true)) }))]
    : [];
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...paths), hostileValue).map(([p, v]) => ({ label: `${p.join('.') || '(body)'} = ${preview(v)}`, text: jsonText(setAt(base, p, v)) })) },
    ...removals.map((arbitrary) => ({ weight: 2, arbitrary })),
    { weight: 1, arbitrary: fc.tuple(hostileString, hostileValue).map(([k, v]) => ({ label: `extra field ${preview(k)} = ${preview(v)}`, text: jsonText(base && typeof base === 'object' && !Array.isArray(base) ? { ...base, [k]: v } : { [k]: v }) })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<{ label: string; text: string | Buffer }>(
        { label: 'broken JSON', text: '{"a":' },
        { label: 'JSON with a raw NUL byte', text: `{"x":"a\u0000b"}` },
        { label: 'invalid UTF-8 bytes', text: Buffer.from([0x7b, 0x22, 0x78, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
        { label: 'byte order mark before JSON', text: `\ufeff${jsonText(base)}` },
        { label: 'deeply nested arrays', text: `${'['.repeat(5000)}${']'.repeat(5000)}` },
        { label: 'a JSON string', text: '"\\u0000"' },
        { label: 'lone surrogate escape as body', text: '"\\ud800"' },
        { label: 'JSON null', text: 'null' },
        { label: 'number 1e309', text: '1e309' },
      ),
    },
  );
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : jsonText(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…(${text.length} chars)` : text;
}

function inputsFor(op: Operation, safeParam: (name: string) => string): fc.Arbitrary<FuzzInput> {
  const fillPath = (hostile?: { name: string; value: string }) =>
    op.path.replace(/\{([^}]+)\}/g, (_, name: string) => (hostile && hostile.name === name ? encodeHostile(hostile.value) : encodeURIComponent(safeParam(name))));
  const arbs: fc.Arbitrary<FuzzInput>[] = [];
  if (op.pathParams.length) {
    arbs.push(fc.tuple(fc.constantFrom(...op.pathParams), urlString).map(([name, value]) => ({ label: `path ${name} = ${preview(value)}`, path: fillPath({ name, value }) })));
  }
  const queryNames = Object.keys(op.query);
  if (queryNames.length) {
    arbs.push(
      fc.tuple(fc.constantFrom(...queryNames), urlString, fc.boolean()).map(([name, value, twice]) => ({
        label: `query ${name} = ${preview(value)}${twice ? ' (twice)' : ''}`,
        path: `${fillPath()}?${name}=${encodeHostile(value)}${twice ? `&${name}=${encodeHostile(value)}` : ''}`,
      })),
    );
  }
  const withBodyPath = (label: string, body: string | Buffer, contentType: string): FuzzInput => ({
    label, path: fillPath(), body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), contentType,
  });
  if (op.body) arbs.push(bodyInputs(example(op.body)).map((b) => withBodyPath(`body ${b.label}`, b.text, 'application/json')));
  else if ((op.method === 'POST' || op.method === 'PUT') && !op.csv) arbs.push(bodyInputs({}).map((b) => withBodyPath(`body ${b.label}`, b.text, 'application/json')));
  if (op.csv) arbs.push(csvInputs(op.route).map((c) => withBodyPath(`csv ${c.label}`, c.bytes, 'text/csv')));
  if (arbs.length === 0) arbs.push(fc.constant({ label: 'no input', path: fillPath() }));
  return fc.oneof(...arbs);
}

// --- CSV ------------------------------------------------------------------------------------------

const CSV_TEMPLATES: Record<string, string[][]> = {
  'POST /imports/catalog': [['编码', '名称', '大类', '小类', '计量单位', '数量精度', '批次管理', '规格型号'], ['FZ-0001', '帐篷', '生活保障物资', '帐篷', '顶', '0', '否', '规格']],
  'POST /imports/warehouses': [['编码', '名称', '级别', '所在区', '地址', '纬度', '经度', '启用'], ['FZ-WH', '模糊测试库', 'DISTRICT', '市南区', '某路1号', '36.1', '120.4', '是']],
  'POST /imports/opening-stock': [['仓库编码', '物资编码', '批次号', '有效期至', '数量', '单价'], ['FZ-WH', 'FZ-0001', '', '', '1', '1.00']],
  'POST /imports/quotas': [['仓库编码', '物资编码', '储备定额'], ['FZ-WH', 'FZ-0001', '10']],
  'POST /payout-batches/:id/return-file': [['序号', '金额', '用途', '状态', '银行流水号', '交易日期', '失败原因'], ['1', '1000.00', 'LP00000001', '成功', 'B-1', '2024-08-01', '']],
};

const csvCell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const csvText = (rows: string[][]) => rows.map((r) => r.map(csvCell).join(',')).join('\n');

function csvInputs(route: string): fc.Arbitrary<{ label: string; bytes: Buffer }> {
  const template = CSV_TEMPLATES[route] ?? [['a', 'b'], ['1', '2']];
  const utf8 = (label: string, text: string) => ({ label, bytes: Buffer.from(text, 'utf8') });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(fc.nat(template[1]!.length - 1), fc.oneof(hostileString, fc.constantFrom(...FORMULAS, ...NUMBER_TEXTS))).map(([col, value]) => {
        const row = [...template[1]!];
        row[col] = value;
        return utf8(`cell ${template[0]![col]} = ${preview(value)}`, csvText([template[0]!, row]));
      }),
    },
    { weight: 1, arbitrary: fc.nat(template[0]!.length - 1).map((col) => utf8(`without column ${template[0]![col]}`, csvText(template.map((r) => r.filter((_, i) => i !== col))))) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        utf8('empty file', ''),
        utf8('header only', csvText([template[0]!])),
        utf8('unbalanced quote', `${csvText([template[0]!])}\n"${template[1]!.join(',')}`),
        utf8('quote inside an unquoted field', `${csvText([template[0]!])}\n${template[1]![0]}a"b,${template[1]!.slice(1).join(',')}`),
        utf8('extra column', `${csvText(template)},extra`),
        utf8('short row', `${csvText([template[0]!])}\n${template[1]![0]}`),
        utf8('NUL bytes', `${csvText([template[0]!])}\n\u0000${template[1]!.join(',\u0000')}`),
        utf8('byte order mark and CRLF', `\ufeff${template.map((r) => r.join(',')).join('\r\n')}\r\n`),
        utf8('lone surrogate in a cell', `${csvText([template[0]!])}\n${template[1]!.join(',')}\ud800`),
        utf8('header repeated as a row', csvText([template[0]!, template[0]!])),
        utf8('duplicate rows', csvText([...template, template[1]!])),
        { label: 'invalid UTF-8 and GBK bytes', bytes: Buffer.concat([Buffer.from(`${template[0]!.join(',')}\n`, 'utf8'), Buffer.from([0xff, 0xfe, 0x80, 0x81, 0x2c, 0xc0])]) },
        { label: 'binary garbage', bytes: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256)) },
      ),
    },
  );
}

// --- the run -----------------------------------------------------------------------------------------

const FINGERPRINT_TABLES = [
  'users', 'api_tokens', 'categories', 'warehouses', 'import_runs', 'stock_documents', 'stock_movements', 'stock_balances', 'stock_lots',
  'stock_transfers', 'stocktakes', 'stocktake_lines', 'stock_quotas', 'claim_events', 'claims', 'claim_history', 'claim_assessments', 'claim_payments',
  'payout_batches', 'payout_lines', 'claim_recoveries', 'recovery_collections',
];

/** Row counts of the main tables, one statement. */
export async function fingerprint(target: Target): Promise<string> {
  const [row] = await target.sql(`SELECT ${FINGERPRINT_TABLES.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`);
  return JSON.stringify(row);
}

/** Why a reply breaks the contract, or null. */
export function contractProblem(reply: Reply): string | null {
  if (reply.status >= 500) return `status ${reply.status}`;
  if (reply.status < 400) return null;
  const error = (reply.body as any)?.error;
  if (typeof reply.body !== 'object' || !error) return 'refusal without an {error} body';
  if (typeof error.code !== 'string') return 'error.code is not a string';
  if (typeof error.message !== 'string') return 'error.message is not a string';
  if (!Array.isArray(error.details)) return `error.details is ${error.details === undefined ? 'missing' : 'not an array'}`;
  return null;
}

export interface FuzzOptions {
  runsPerRoute: number;
  seed: number;
  tokens: Record<MatrixRole, string | null>;
  /** Values for path parameters when another part of the request is fuzzed. */
  safeParam?: (name: string) => string;
  /** Routes never fuzzed (e.g. to keep the admin's own token alive). */
  skip?: (route: string) => boolean;
}

export interface FuzzViolation {
  route: string;
  problem: string;
  status: number;
  code?: string;
  examples: string[];
  count: number;
}

export interface FuzzReport {
  inputs: number;
  refused: number;
  accepted: number;
  violations: FuzzViolation[];
}

export async function fuzzRoutes(target: Target, openapi: any, options: FuzzOptions): Promise<FuzzReport> {
  const report: FuzzReport = { inputs: 0, refused: 0, accepted: 0, violations: [] };
  const grouped = new Map<string, FuzzViolation>();
  const note = (route: string, problem: string, reply: Reply | null, example: string) => {
    const code = (reply?.body as any)?.error?.code;
    const key = `${route}|${problem}|${reply?.status}|${code}`;
    const found: FuzzViolation = grouped.get(key) ?? { route, problem, status: reply?.status ?? 0, code, examples: [], count: 0 };
    found.count++;
    if (found.examples.length < 3) found.examples.push(example);
    grouped.set(key, found);
  };
  const safeParam = options.safeParam ?? (() => '999999');
  let last: string | undefined;
  for (const [index, op] of operationsOf(openapi).entries()) {
    if (options.skip?.(op.route)) continue;
    const token = options.tokens[allowedRole(op.route)];
    const samples = fc.sample(inputsFor(op, safeParam), { seed: options.seed + index, numRuns: options.runsPerRoute });
    for (const input of samples) {
      report.inputs++;
      // Requests run one at a time, so the fingerprint after one request is the one before the next.
      const before = (last ??= await fingerprint(target));
      let reply: Reply | null = null;
      try {
        reply = await target.request(op.method, input.path, {
          token, ...(input.body ? { raw: input.body, headers: { 'content-type': input.contentType! } } : {}),
        });
      } catch (error) {
        note(op.route, `no reply: ${(error as Error).message}`, null, input.label);
        last = undefined;
        continue;
      }
      const problem = contractProblem(reply);
      if (problem) note(op.route, problem, reply, input.label);
      const after = (last = await fingerprint(target));
      if (reply.status >= 400) {
        report.refused++;
        if (after !== before) note(op.route, `refused (${reply.status}) but wrote: ${diff(before, after)}`, reply, input.label);
      } else report.accepted++;
    }
  }
  report.violations = [...grouped.values()];
  return report;
}

function diff(before: string, after: string): string {
  const a = JSON.parse(before) as Record<string, string>;
  const b = JSON.parse(after) as Record<string, string>;
  return Object.keys(b).filter((k) => a[k] !== b[k]).map((k) => `${k} ${a[k]}→${b[k]}`).join(', ');
}

/** A too-large JSON body for every POST/PUT route: 413 in the error contract, nothing written. */
export async function oversizedBodies(target: Target, openapi: any, tokens: Record<MatrixRole, string | null>, bytes: number): Promise<FuzzReport> {
  const report: FuzzReport = { inputs: 0, refused: 0, accepted: 0, violations: [] };
  const big = Buffer.from(jsonText({ note: 'x'.repeat(bytes) }));
  for (const op of operationsOf(openapi)) {
    if (op.method !== 'POST' && op.method !== 'PUT') continue;
    report.inputs++;
    const path = op.path.replace(/\{[^}]+\}/g, '999999');
    const before = await fingerprint(target);
    const reply = await target.request(op.method, path, { token: tokens[allowedRole(op.route)], raw: big, headers: { 'content-type': op.csv ? 'text/csv' : 'application/json' } });
    const problem = contractProblem(reply) ?? (reply.status === 413 || op.csv ? null : `status ${reply.status}, not 413`);
    if (reply.status >= 400) report.refused++;
    if (problem) report.violations.push({ route: op.route, problem, status: reply.status, code: (reply.body as any)?.error?.code, examples: [`${bytes}-byte body`], count: 1 });
    if (reply.status >= 400 && (await fingerprint(target)) !== before) report.violations.push({ route: op.route, problem: 'refused but wrote', status: reply.status, examples: [`${bytes}-byte body`], count: 1 });
  }
  return report;
}

export function formatViolations(violations: FuzzViolation[]): string[] {
  return violations.map((v) => `${v.route} → ${v.status}${v.code ? ` ${v.code}` : ''}: ${v.problem} (${v.count}×, e.g. ${v.examples.join(' | ')})`);
}
