import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { PROBLEM_ZH, reasonZh } from './problems';

/** Typed from /openapi.json: a path, parameter or body the service no longer accepts fails the type check. */
export const api = createClient<paths>({ baseUrl: '' });

function cookie(name: string): string {
  const found = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : '';
}

let signedOut: () => void = () => undefined;
export function onSignedOut(handler: () => void): void {
  signedOut = handler;
}

api.use({
  onRequest({ request }) {
    // Double submit: the CSRF cookie's value echoed in a header, which another site cannot read or set.
    if (request.method !== 'GET') request.headers.set('x-csrf-token', cookie('rl_csrf'));
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.endsWith('/session')) signedOut();
    return response;
  },
});

const STATUS_ZH: Record<number, string> = {
  400: '请求格式有误', 401: '未登录或会话已过期', 403: '无权限', 404: '记录不存在', 409: '与当前状态冲突',
  413: '内容过大', 422: '输入有误', 429: '尝试次数过多，请稍后再试', 500: '服务器内部错误', 503: '服务暂不可用',
};

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: { field?: string; reason?: string; value?: unknown }[]) {
    super(message);
  }
  /** What a clerk reads: the problem in Chinese (by its code, else by the status), then the service's own words and each detail. */
  get text(): string {
    const details = this.details.map((d) => [d.field, d.reason && reasonZh(d.reason)].filter(Boolean).join('：')).filter(Boolean);
    const headline = PROBLEM_ZH[this.code] ?? STATUS_ZH[this.status] ?? `错误 ${this.status}`;
    return `${headline}：${this.message}${details.length ? `（${details.slice(0, 5).join('；')}）` : ''}`;
  }
}

interface Outcome {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/**
 * The reply's body, or an ApiError with the service's error shape. Reply bodies are typed by the caller
 * (the document's success schemas are still `{}`; see the report of issue 16).
 */
export async function call<T>(request: Promise<Outcome>): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) {
    const body = (error ?? {}) as { error?: { code?: string; message?: string; details?: unknown } };
    const details = Array.isArray(body.error?.details) ? (body.error!.details as ApiError['details']) : [];
    throw new ApiError(response.status, body.error?.code ?? 'HTTP', body.error?.message ?? response.statusText, details);
  }
  return data as T;
}

export interface Page<T> {
  items: T[];
  total: number;
}
