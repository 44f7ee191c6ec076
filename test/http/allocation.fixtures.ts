// Shared set-up for the allocation tests: warehouses at real coordinates, categories of their own per test, stock, users and short helpers.
import { expect } from 'vitest';
import type { TestApp, TestReply } from '../support/app.js';
import { newCategory, receipt } from './stock.fixtures.js';

/** Near 市南 (WH-SN), the city centre store (WH-CY), far away in 莱西 (WH-LX). */
export const ALLOCATION_WAREHOUSES_CSV = [
  '编码,名称,级别,所在区,地址,纬度,经度,启用',
  'AL-SN,市南区库,DISTRICT,市南区,宁夏路56号,36.072938,120.381556,是',
  'AL-CY,市中心库,CITY,城阳区,双元路168号,36.274512,120.384236,是',
  'AL-LX,莱西库,DISTRICT,莱西市,烟台路96号,36.868307,120.521679,是',
].join('\n');

export const NEAR_SN = { name: '市南区防疫卡点一', district: '市南区', lat: '36.070000', lon: '120.380000' };

export interface AllocationWorld {
  dispatcher: string;
  dispatcher2: string;
  keeperSN: string;
  keeperLX: string;
  finance: string;
}

let users = 0;
export async function allocationWorld(app: TestApp): Promise<AllocationWorld> {
  const reply = await app.request('POST', '/imports/warehouses', { raw: ALLOCATION_WAREHOUSES_CSV });
  expect(reply.status).toBe(200);
  const n = ++users;
  return {
    dispatcher: await app.user(`调度员甲${n}`, 'dispatcher'),
    dispatcher2: await app.user(`调度员乙${n}`, 'dispatcher'),
    keeperSN: await app.user(`市南保管员${n}`, 'keeper', ['AL-SN']),
    keeperLX: await app.user(`莱西保管员${n}`, 'keeper', ['AL-LX']),
    finance: await app.user(`财务${n}`, 'finance'),
  };
}

/** A fresh whole-unit category with the given stock per warehouse. */
export async function stockedTent(app: TestApp, stock: Record<string, string>): Promise<string> {
  const code = await newCategory(app, 'tent');
  for (const [warehouse, quantity] of Object.entries(stock)) expect((await receipt(app, warehouse, [{ category: code, quantity }])).status).toBe(201);
  return code;
}

export function order(app: TestApp, token: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<TestReply> {
  return app.request('POST', '/allocations', { token, body: { destination: NEAR_SN, ...body }, headers });
}

/** on_hand, reserved and available of a category in a warehouse (untracked: lot null). */
export async function balance(app: TestApp, warehouse: string, category: string): Promise<{ onHand: string; reserved: string; available: string }> {
  const reply = await app.request('GET', `/balances?warehouse=${warehouse}&category=${category}`);
  expect(reply.status).toBe(200);
  const row = reply.body.items[0];
  return row ? { onHand: row.onHand, reserved: row.reserved, available: row.available } : { onHand: '0', reserved: '0', available: '0' };
}

export const picksOf = (body: any) =>
  body.lines.flatMap((l: any) => l.picks.map((p: any) => `${p.warehouse}${p.lot ? `/${p.lot}` : ''}:${p.quantity}`));
