// Proves late entries and month-end close (月结): documents dated into any open period whatever was posted since, 台帐 and as-of balances right on every date after a late entry, closed months frozen (dates refused with the first usable date, reversals dated into the open month), close in order and only after month end, reopen by admins with a reason, a close racing postings, and frozen balances checked against the ledger.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';

const TODAY = todayInCity();
const firstOf = (period: string) => `${period}-01`;
const lastOf = (period: string) => addDays(firstOf(nextOf(period)), -1);
const nextOf = (period: string) => {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};
const CURRENT = TODAY.slice(0, 7);
const PREVIOUS = addDays(firstOf(CURRENT), -1).slice(0, 7);
const TWO_AGO = addDays(firstOf(PREVIOUS), -1).slice(0, 7);

type Item = { occurredAt: string; warehouse: string; in: string | null; out: string | null; balance: string };
const balances = (items: Item[]) => items.map((i) => i.balance);

describe('late entries', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await seedWarehouses(app);
  });
  afterAll(() => app.close());

  it('WH-B posts a donation dated 10 days ago after WH-A posted today in the same category', async () => {
    const tent = await newCategory(app, 'tent');
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '5' }])).status).toBe(201);
    const late = await receipt(app, 'WH-B', [{ category: tent, quantity: '7' }], { donor: '某慈善基金会', occurredAt: addDays(TODAY, -10) });
    expect(late.status).toBe(201);
    expect(late.body.occurredAt).toBe(addDays(TODAY, -10));
    const all = await app.request('GET', `/ledger?category=${tent}`);
    expect(all.body.items.map((i: Item) => [i.occurredAt, i.warehouse, i.balance])).toEqual([[addDays(TODAY, -10), 'WH-B', '7'], [TODAY, 'WH-A', '12']]);
    expect((await receipt(app, 'WH-B', [{ category: tent, quantity: '1' }], { occurredAt: addDays(TODAY, 1) })).status).toBe(422);
    await expectLedgerHealthy(app);
  });

  it('a late entry in the middle of a busy category shifts the running balance of every later row on the 台帐 page', async () => {
    const tent = await newCategory(app, 'tent');
    for (let day = 29; day >= 0; day--) expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }], { occurredAt: addDays(TODAY, -day) })).status).toBe(201);
    const page = async () => (await app.request('GET', `/ledger?category=${tent}&warehouse=WH-A&limit=10&offset=10`)).body;
    const before = await page();
    expect(before).toMatchObject({ opening: '0', closing: '30', pageOpening: '10', total: 30 });
    expect(balances(before.items)).toEqual(['11', '12', '13', '14', '15', '16', '17', '18', '19', '20']);
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '100' }], { occurredAt: addDays(TODAY, -25) })).status).toBe(201);
    const after = await page();
    expect(after).toMatchObject({ closing: '130', pageOpening: '109', total: 31 });
    expect(balances(after.items)).toEqual(['110', '111', '112', '113', '114', '115', '116', '117', '118', '119']);
    // The late row sits at its business date, after the row recorded earlier for the same day.
    const head = (await app.request('GET', `/ledger?category=${tent}&warehouse=WH-A&limit=6`)).body.items;
    expect(head.map((i: Item) => [i.occurredAt, i.in, i.balance]).slice(4)).toEqual([[addDays(TODAY, -25), '1', '5'], [addDays(TODAY, -25), '100', '105']]);
    const range = (await app.request('GET', `/ledger?category=${tent}&warehouse=WH-A&from=${addDays(TODAY, -25)}&to=${addDays(TODAY, -24)}`)).body;
    expect(range).toMatchObject({ opening: '4', closing: '106', total: 3 });
    await expectLedgerHealthy(app);
  });

  it('as-of balances are right on each side of a late entry', async () => {
    const rice = await newCategory(app, 'rice');
    await receipt(app, 'WH-A', [{ category: rice, quantity: '10' }], { occurredAt: addDays(TODAY, -20) });
    await writeOff(app, 'WH-A', [{ category: rice, quantity: '2.5' }]);
    await receipt(app, 'WH-A', [{ category: rice, quantity: '3.25' }], { occurredAt: addDays(TODAY, -10) });
    const asOf = async (date: string) => (await app.request('GET', `/balances?category=${rice}&asOf=${date}`)).body.items.map((b: { onHand: string }) => b.onHand);
    expect(await asOf(addDays(TODAY, -11))).toEqual(['10.000']);
    expect(await asOf(addDays(TODAY, -10))).toEqual(['13.250']);
    expect(await asOf(addDays(TODAY, -1))).toEqual(['13.250']);
    expect(await asOf(TODAY)).toEqual(['10.750']);
  });
});

describe('month-end close', () => {
  let app: TestApp;
  let finance: string;
  let keeperA: string;
  beforeAll(async () => {
    app = await startTestApp();
    await seedWarehouses(app);
    finance = await app.user('finance-1', 'finance');
    keeperA = await app.user('keeper-a', 'keeper', ['WH-A']);
  });
  afterAll(() => app.close());

  it('closes months in order once ended, refuses dates in them, reverses into the open month, and reopens with a reason', async () => {
    const tent = await newCategory(app, 'tent');
    const old = await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }], { occurredAt: `${TWO_AGO}-15` });
    expect(old.status).toBe(201);
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '5' }], { occurredAt: `${PREVIOUS}-10` })).status).toBe(201);
    const periods = await app.request('GET', '/periods', { token: keeperA });
    expect(periods.body.items).toEqual([TWO_AGO, PREVIOUS, CURRENT].map((period) => ({ period, status: 'OPEN', closedAt: null, closedBy: null })));

    const outOfOrder = await app.request('POST', `/periods/${PREVIOUS}/close`, { token: finance });
    expect(outOfOrder.status).toBe(409);
    expect(outOfOrder.body.error).toMatchObject({ code: 'PERIOD_OUT_OF_ORDER', details: [{ expected: TWO_AGO }] });
    const unfinished = await app.request('POST', `/periods/${CURRENT}/close`, { token: finance });
    expect(unfinished.status).toBe(409);
    expect(unfinished.body.error.code).toBe('PERIOD_NOT_ENDED');
    expect((await app.request('POST', `/periods/${TWO_AGO}/close`, { token: keeperA })).status).toBe(403);

    const closed = await app.request('POST', `/periods/${TWO_AGO}/close`, { token: finance });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ period: TWO_AGO, status: 'CLOSED', closedBy: 'finance-1', balances: 1 });
    expect((await app.request('POST', `/periods/${TWO_AGO}/close`, { token: finance })).body.error.code).toBe('PERIOD_ALREADY_CLOSED');
    expect((await app.request('GET', '/periods')).body).toMatchObject({ closedThrough: lastOf(TWO_AGO), firstOpenDate: firstOf(PREVIOUS) });

    const refused = await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }], { occurredAt: `${TWO_AGO}-20` });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details[0]).toMatchObject({ field: 'occurredAt', closedPeriod: TWO_AGO, firstOpenDate: firstOf(PREVIOUS), reason: expect.stringContaining(firstOf(PREVIOUS)) });
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }], { occurredAt: firstOf(PREVIOUS) })).status).toBe(201);

    const reversal = await app.request('POST', `/documents/${old.body.id}/reverse`, { body: { reason: '重复录入' } });
    expect(reversal.status).toBe(201);
    expect(reversal.body).toMatchObject({ occurredAt: firstOf(PREVIOUS), datedInto: { original: `${TWO_AGO}-15`, closedPeriod: TWO_AGO, occurredAt: firstOf(PREVIOUS) } });
    const asOf = async (date: string) => (await app.request('GET', `/balances?category=${tent}&asOf=${date}`)).body.items.map((b: { onHand: string }) => b.onHand);
    expect(await asOf(lastOf(TWO_AGO))).toEqual(['10']);
    expect(await asOf(firstOf(PREVIOUS))).toEqual(['1']);
    expect(await asOf(`${PREVIOUS}-10`)).toEqual(['6']);
    const ledger = (await app.request('GET', `/ledger?category=${tent}&warehouse=WH-A&from=${firstOf(PREVIOUS)}`)).body;
    expect(ledger).toMatchObject({ opening: '10', closing: '6', pageOpening: '10', total: 3 });
    await expectLedgerHealthy(app);

    expect((await app.request('POST', `/periods/${TWO_AGO}/reopen`, { token: finance, body: { reason: '补录' } })).status).toBe(403);
    expect((await app.request('POST', `/periods/${TWO_AGO}/reopen`, { body: {} })).status).toBe(422);
    const reopened = await app.request('POST', `/periods/${TWO_AGO}/reopen`, { body: { reason: '补录漏记的捐赠入库单' } });
    expect(reopened.body).toEqual({ period: TWO_AGO, status: 'OPEN', closedAt: null, closedBy: null });
    const history = await app.request('GET', `/periods/${TWO_AGO}/history`);
    expect(history.body.items.map((e: { action: string; by: string; reason: string | null }) => [e.action, e.by, e.reason])).toEqual([['CLOSE', 'finance-1', null], ['REOPEN', 'admin', '补录漏记的捐赠入库单']]);
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '2' }], { occurredAt: `${TWO_AGO}-20` })).status).toBe(201);

    expect((await app.request('POST', `/periods/${TWO_AGO}/close`, { token: finance })).body.balances).toBe(1);
    expect((await app.request('POST', `/periods/${PREVIOUS}/close`, { token: finance })).status).toBe(200);
    const notLatest = await app.request('POST', `/periods/${TWO_AGO}/reopen`, { body: { reason: '再补录' } });
    expect(notLatest.status).toBe(409);
    expect(notLatest.body.error.code).toBe('PERIOD_NOT_LATEST');
    expect((await app.request('GET', '/periods')).body.items.map((p: { status: string }) => p.status)).toEqual(['CLOSED', 'CLOSED', 'OPEN']);
    expect(await asOf(lastOf(PREVIOUS))).toEqual(['8']);
    await expectLedgerHealthy(app);
  });

  it('a frozen balance that no longer equals the ledger is reported by /ledger/check', async () => {
    const [row] = await app.sql<{ period: string; category: string; warehouse: string; lot: string }>(
      'SELECT period::text, category, warehouse, lot FROM stock_period_balances ORDER BY period DESC LIMIT 1',
    );
    await app.sql('UPDATE stock_period_balances SET on_hand = on_hand + 1 WHERE period = ? AND category = ? AND warehouse = ? AND lot = ?', [row!.period, row!.category, row!.warehouse, row!.lot]);
    const check = await app.request('GET', '/ledger/check', { token: finance });
    expect(check.body.ok).toBe(false);
    expect(check.body.discrepancies).toEqual([expect.objectContaining({ kind: 'FROZEN', category: row!.category, warehouse: row!.warehouse })]);
    await app.sql('UPDATE stock_period_balances SET on_hand = on_hand - 1 WHERE period = ? AND category = ? AND warehouse = ? AND lot = ?', [row!.period, row!.category, row!.warehouse, row!.lot]);
    expect((await app.request('GET', '/ledger/check')).body.ok).toBe(true);
  });
});

describe('close racing postings', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await seedWarehouses(app);
  });
  afterAll(() => app.close());

  it('a posting dated in the month being closed is either in its frozen balance or refused, every time', async () => {
    const tent = await newCategory(app, 'tent');
    expect((await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }], { occurredAt: firstOf(TWO_AGO) })).status).toBe(201);
    let posted = 1;
    const outcomes = new Set<number>();
    for (let round = 0; round < 12; round++) {
      // Several postings around the close, some started before it and some after.
      const postings = Array.from({ length: 4 }, () => receipt(app, 'WH-A', [{ category: tent, quantity: '1' }], { occurredAt: lastOf(TWO_AGO) }));
      const close = app.request('POST', `/periods/${TWO_AGO}/close`);
      const replies = await Promise.all(postings);
      expect((await close).status).toBe(200);
      for (const reply of replies) {
        expect([201, 422]).toContain(reply.status);
        outcomes.add(reply.status);
        if (reply.status === 201) posted += 1;
      }
      const [frozen] = await app.sql<{ on_hand: string }>('SELECT on_hand::text FROM stock_period_balances WHERE category = ?', [tent]);
      expect(frozen!.on_hand).toBe(`${posted}.000`);
      expect((await app.request('GET', '/ledger/check')).body.ok).toBe(true);
      expect((await app.request('POST', `/periods/${TWO_AGO}/reopen`, { body: { reason: `round ${round}` } })).status).toBe(200);
    }
    expect(outcomes.has(201)).toBe(true);
  });
});
