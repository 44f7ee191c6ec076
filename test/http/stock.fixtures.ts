// Shared set-up for the supply ledger tests: warehouses, a fresh category per test, and short posting helpers.
import { expect } from 'vitest';
import type { TestApp, TestReply } from '../support/app.js';

export const WAREHOUSES_CSV = [
  '编码,名称,级别,所在区,地址,纬度,经度,启用',
  'WH-A,甲库,CITY,李沧区,某路1号,36.100000,120.400000,是',
  'WH-B,乙库,DISTRICT,市南区,某路2号,36.100000,120.400000,是',
  'WH-C,丙库(停用),DISTRICT,市北区,某路3号,36.100000,120.400000,否',
].join('\n');

export async function seedWarehouses(app: TestApp): Promise<void> {
  const reply = await app.request('POST', '/imports/warehouses', { raw: WAREHOUSES_CSV });
  expect(reply.status).toBe(200);
}

let counter = 0;
const KINDS = {
  tent: { prefix: 'TENT', name: '帐篷', unit: '顶', scale: 0, lots: '否' },
  rice: { prefix: 'RICE', name: '大米', unit: 't', scale: 3, lots: '否' },
  water: { prefix: 'WATER', name: '饮用水', unit: '箱', scale: 0, lots: '是' },
} as const;

/** A category of its own for one test, so its ledger dates and balances start empty. */
export async function newCategory(app: TestApp, kind: keyof typeof KINDS): Promise<string> {
  const k = KINDS[kind];
  const code = `${k.prefix}-${process.pid % 1000}-${++counter}`;
  const csv = `编码,名称,大类,小类,计量单位,数量精度,批次管理\n${code},${k.name} ${counter},生活保障物资,测试,${k.unit},${k.scale},${k.lots}\n`;
  const reply = await app.request('POST', '/imports/catalog', { raw: csv });
  expect(reply.status).toBe(200);
  return code;
}

export interface LineSpec {
  category: string;
  quantity: string;
  lot?: string;
  expiresOn?: string;
  unitCost?: string;
}

export function receipt(app: TestApp, warehouse: string, lines: LineSpec[], options: { token?: string | null; occurredAt?: string; donor?: string; headers?: Record<string, string> } = {}): Promise<TestReply> {
  const source = options.donor ? { kind: 'DONATION', name: options.donor } : { kind: 'PROCUREMENT', name: '某应急物资公司', reference: 'CG-2026-001' };
  return app.request('POST', '/receipts', {
    token: options.token, headers: options.headers,
    body: { warehouse, source, ...(options.occurredAt ? { occurredAt: options.occurredAt } : {}), lines },
  });
}

export function writeOff(app: TestApp, warehouse: string, lines: Partial<LineSpec>[], options: { token?: string; reason?: string; occurredAt?: string } = {}): Promise<TestReply> {
  return app.request('POST', '/write-offs', {
    token: options.token,
    body: { warehouse, reason: options.reason ?? 'DAMAGE', ...(options.occurredAt ? { occurredAt: options.occurredAt } : {}), lines },
  });
}

/** Current on-hand of one (warehouse, category, lot) as the API reports it; "0" when absent. */
export async function onHand(app: TestApp, warehouse: string, category: string, lot: string | null = null): Promise<string> {
  const reply = await app.request('GET', `/balances?warehouse=${warehouse}&category=${category}`);
  expect(reply.status).toBe(200);
  const row = reply.body.items.find((item: { lot: string | null }) => item.lot === lot);
  return row?.onHand ?? '0';
}

export async function expectLedgerHealthy(app: TestApp): Promise<void> {
  const check = await app.request('GET', '/ledger/check');
  expect(check.body).toEqual({ ok: true, discrepancies: [] });
  const verify = await app.request('GET', '/ledger/verify');
  expect(verify.body.problems).toEqual([]);
  expect(verify.body.ok).toBe(true);
}

/** Runs statements as the superuser with user triggers off, as someone bypassing the service would. */
export function tamperAsSuperuser(app: TestApp, statement: string): Promise<unknown> {
  return app.sql(`BEGIN; SET LOCAL session_replication_role = replica; ${statement}; COMMIT;`);
}
