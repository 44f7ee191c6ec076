// Proves POST /allocations?dryRun=true: the plan it shows is what the same body then reserves (nearest first, above quotas,
// shortfalls, distances), it writes nothing (no order, pick, posting or order number), and a refusal shows its shortfalls instead of a 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { newCategory } from './stock.fixtures.js';
import { type AllocationWorld, NEAR_SN, allocationWorld, balance, stockedTent } from './allocation.fixtures.js';

let app: TestApp;
let w: AllocationWorld;
beforeAll(async () => {
  app = await startTestApp();
  w = await allocationWorld(app);
});
afterAll(() => app.close());

const TABLES = ['allocations', 'allocation_lines', 'allocation_picks', 'allocation_history', 'stock_documents', 'stock_movements', 'stock_chains'];
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = Number((await app.sql<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]!.n);
  const [seq] = await app.sql<{ last: string }>('SELECT (CASE WHEN is_called THEN last_value ELSE 0 END)::text AS last FROM allocations_id_seq');
  out.sequence = Number(seq!.last);
  return out;
}
const plain = (lines: any[]) =>
  lines.map((l) => ({
    category: l.category, requested: l.requested, reserved: l.reserved, shortfall: l.shortfall,
    picks: l.picks.map((p: any) => `${p.warehouse}/${p.lot ?? ''}/${p.expiresOn ?? ''}:${p.quantity}`).sort(),
  }));

describe('POST /allocations?dryRun=true', () => {
  it('shows exactly what the same body then reserves, and writes nothing', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '30', 'AL-CY': '100', 'AL-LX': '100' });
    expect((await app.request('PUT', '/quotas', { body: { warehouse: 'AL-SN', category: tent, quantity: '10' } })).status).toBe(200);
    const rice = await newCategory(app, 'rice');
    const body = { destination: NEAR_SN, lines: [{ category: tent, quantity: '50' }, { category: rice, quantity: '2' }], priority: 2 };
    const before = await counts();
    const preview = await app.request('POST', '/allocations?dryRun=true', { token: w.dispatcher, body });
    expect(preview.status).toBe(200);
    expect(await counts()).toEqual(before);
    expect(await balance(app, 'AL-SN', tent)).toEqual({ onHand: '30', reserved: '0', available: '30' });
    expect(preview.body).toMatchObject({ dryRun: true, outcome: 'RESERVED', reservesNow: true, covered: false });
    const [tentLine, riceLine] = preview.body.lines;
    // Nearest first (AL-SN), only the 20 above its quota of 10, then AL-CY; each pick with its distance from the destination.
    expect(tentLine.picks.map((p: any) => `${p.warehouse}:${p.quantity}`)).toEqual(['AL-SN:20', 'AL-CY:30']);
    expect(tentLine.picks.every((p: any) => /^\d+\.\d$/.test(p.distanceKm))).toBe(true);
    expect(Number(tentLine.picks[0].distanceKm)).toBeLessThan(Number(tentLine.picks[1].distanceKm));
    expect(riceLine).toMatchObject({ category: rice, requested: '2.000', reserved: '0.000', shortfall: '2.000', picks: [] });
    expect(preview.body.warehouses.map((x: any) => x.code)).toEqual(['AL-SN', 'AL-CY']);

    const placed = await app.request('POST', '/allocations', { token: w.dispatcher, body });
    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe(preview.body.outcome);
    expect(plain(placed.body.lines)).toEqual(plain(preview.body.lines));
    expect((await counts()).sequence).toBe(before.sequence + 1);
  });

  it('previews a kit for a number of people, and shows the shortfall where the order would be refused', async () => {
    const tent = await stockedTent(app, { 'AL-LX': '7' });
    expect((await app.request('POST', '/kits', { token: w.dispatcher, body: { code: 'PREVIEW-KIT', name: '预览包', per: 10, lines: [{ category: tent, quantity: '1' }] } })).status).toBe(201);
    const body = { destination: NEAR_SN, kit: { code: 'PREVIEW-KIT', people: 95 }, allOrNothing: true };
    const before = await counts();
    const preview = await app.request('POST', '/allocations?dryRun=true', { token: w.dispatcher, body });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ outcome: 'INSUFFICIENT_STOCK', reservesNow: false, kit: { code: 'PREVIEW-KIT', version: 1, people: 95 } });
    expect(preview.body.lines).toMatchObject([{ category: tent, requested: '10', reserved: '7', shortfall: '3' }]);
    expect((await app.request('POST', '/allocations', { token: w.dispatcher, body })).status).toBe(409);
    expect(await counts()).toEqual(before);
    // Without coordinates the order of warehouses is by district, and there is no distance.
    const noCoords = await app.request('POST', '/allocations?dryRun=true', { token: w.dispatcher, body: { ...body, destination: { name: '某安置点', district: '莱西市' }, allOrNothing: false } });
    expect(noCoords.body.outcome).toBe('RESERVED');
    expect(noCoords.body.lines[0].picks).toMatchObject([{ warehouse: 'AL-LX', quantity: '7', distanceKm: null }]);
  });

  it('is for planners only, and checks the body like the order does', async () => {
    const tent = await stockedTent(app, { 'AL-SN': '5' });
    expect((await app.request('POST', '/allocations?dryRun=true', { token: w.keeperSN, body: { destination: NEAR_SN, lines: [{ category: tent, quantity: '1' }] } })).status).toBe(403);
    const bad = await app.request('POST', '/allocations?dryRun=true', { token: w.dispatcher, body: { destination: NEAR_SN, lines: [{ category: tent, quantity: '1.5' }] } });
    expect(bad.status).toBe(422);
    expect((await app.request('POST', '/allocations?dryRun=maybe', { token: w.dispatcher, body: { destination: NEAR_SN, lines: [{ category: tent, quantity: '1' }] } })).status).toBe(422);
  });
});
