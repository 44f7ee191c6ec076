/**
 * What the reliability suite drives: a running service reached over loopback HTTP, plus read-only SQL
 * on its database for the checks that the API does not expose (row counts, node sums).
 */
export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface SendOptions {
  token?: string | null;
  /** A JSON value, serialised with JSON.stringify. */
  body?: unknown;
  /** Bytes or text sent as they are (CSV uploads, broken JSON). */
  raw?: Buffer | string;
  headers?: Record<string, string>;
}

export interface Target {
  adminToken: string;
  request<T = any>(method: string, path: string, options?: SendOptions): Promise<Reply<T>>;
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A request over loopback; `token: undefined` means the admin token, `null` means none. */
export function httpClient(base: string, adminToken: string) {
  return async function request(method: string, path: string, options: SendOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? adminToken : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.raw !== undefined) {
      headers['content-type'] ??= 'text/csv';
      body = typeof options.raw === 'string' ? options.raw : new Uint8Array(options.raw);
    } else if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(60_000) });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    if (type.includes('json') && text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
}

/** Creates a user through the API and returns its token. */
export async function createUser(target: Target, name: string, role: string, warehouses?: string[]): Promise<string> {
  const reply = await target.request('POST', '/users', { body: { name, role, ...(warehouses ? { warehouses } : {}) } });
  if (reply.status !== 201) throw new Error(`cannot create user ${name}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.token as string;
}
