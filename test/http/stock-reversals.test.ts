// Proves reversals: the exact opposite movements dated today and linked to the original, at most once (even when two race), refused when stock is gone, and their effect on transfers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, onHand, receipt, seedWarehouses, writeOff } from './stock.fixtures.js';

let app: TestApp;
let keeperA: string;
let keeperB: string;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
  keeperA = await app.user('keeper-a', 'keeper', ['WH-A']);
  keeperB = await app.user('keeper-b', 'keeper', ['WH-B']);
});
afterAll(() => app.close());

const reverse = (id: string, token?: string, reason = '录入错误') => app.request('POST', `/documents/${id}/reverse`, { token, body: { reason } });

describe('reversal', () => {
  it('posts the opposite of every line, dated at the original date while its period is open, linked both ways, keeping lot, expiry and cost', async () => {
    const water = await newCategory(app, 'water');
    const original = await receipt(app, 'WH-A', [{ category: water, quantity: '6', lot: 'L1', expiresOn: '2030-01-01', unitCost: '12.30' }], { occurredAt: '2025-05-01' });
    const reversal = await reverse(original.body.id, keeperA, '供应商送错货');
    expect(reversal.status).toBe(201);
    expect(reversal.body).toMatchObject({ type: 'REVERSAL', reversesDocumentId: original.body.id, occurredAt: '2025-05-01', reason: '供应商送错货', recordedBy: 'keeper-a' });
    expect(reversal.body.datedInto).toBeUndefined();
    expect(reversal.body.lines).toEqual([{ line: 1, category: water, lot: 'L1', expiresOn: '2030-01-01', quantity: '6', from: 'WH:WH-A', to: 'SUPPLIER:某应急物资公司', unitCost: '12.30' }]);
    expect((await app.request('GET', `/documents/${original.body.id}`)).body.reversedByDocumentId).toBe(reversal.body.id);
    expect(await onHand(app, 'WH-A', water, 'L1')).toBe('0');
    const ledger = await app.request('GET', `/ledger?category=${water}&warehouse=WH-A`);
    expect(ledger.body.items.map((i: { in: string | null; out: string | null; balance: string }) => [i.in, i.out, i.balance])).toEqual([['6', null, '6'], [null, '6', '0']]);
    // The 台帐 says which entry has been reversed, and by what, so no one reverses it again.
    expect(ledger.body.items.map((i: { documentId: string; reversedByDocumentId: string | null }) => [i.documentId, i.reversedByDocumentId])).toEqual([
      [original.body.id, reversal.body.id],
      [reversal.body.id, null],
    ]);
  });

  it('a document is reversed at most once, and a reversal is not itself reversible', async () => {
    const tent = await newCategory(app, 'tent');
    const original = await receipt(app, 'WH-A', [{ category: tent, quantity: '5' }]);
    const first = await reverse(original.body.id);
    const second = await reverse(original.body.id);
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'ALREADY_REVERSED', details: [{ documentId: original.body.id, reversedBy: first.body.id }] });
    const ofReversal = await reverse(first.body.id);
    expect(ofReversal.status).toBe(409);
    expect(ofReversal.body.error.code).toBe('NOT_REVERSIBLE');
    expect((await reverse('999999')).status).toBe(404);
    expect((await reverse('abc')).status).toBe(404);
    expect(await onHand(app, 'WH-A', tent)).toBe('0');
  });

  it('two reversals of one document racing: exactly one is posted', async () => {
    const tent = await newCategory(app, 'tent');
    const original = await receipt(app, 'WH-A', [{ category: tent, quantity: '5' }]);
    const replies = await Promise.all(Array.from({ length: 6 }, () => reverse(original.body.id)));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const reversal = replies.find((r) => r.status === 201)!.body.id;
    for (const refused of replies.filter((r) => r.status === 409)) expect(refused.body.error).toMatchObject({ code: 'ALREADY_REVERSED', details: [{ reversedBy: reversal }] });
    expect(await onHand(app, 'WH-A', tent)).toBe('0');
  });

  it('a reversal that would take a warehouse below zero is refused with the reason', async () => {
    const tent = await newCategory(app, 'tent');
    const original = await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
    await writeOff(app, 'WH-A', [{ category: tent, quantity: '8' }]);
    const refused = await reverse(original.body.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: [{ category: tent, warehouse: 'WH-A', requested: '10', available: '2' }] });
    expect(refused.body.error.message).toContain('10 requested, 2 available');
    expect(await onHand(app, 'WH-A', tent)).toBe('2');
    expect((await app.request('GET', `/documents/${original.body.id}`)).body.reversedByDocumentId).toBeNull();
  });

  it('only keepers of every warehouse the document touched (or admins) may reverse it', async () => {
    const tent = await newCategory(app, 'tent');
    const original = await receipt(app, 'WH-A', [{ category: tent, quantity: '1' }]);
    expect((await reverse(original.body.id, keeperB)).status).toBe(403);
    const finance = await app.user('finance-1', 'finance');
    expect((await reverse(original.body.id, finance)).status).toBe(403);
    expect((await reverse(original.body.id, keeperA)).status).toBe(201);
  });

  it('a transfer shipment is cancelled, not reversed; reversing its receipt puts the goods back in transit', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-A', [{ category: tent, quantity: '20' }]);
    const shipped = await app.request('POST', '/transfers', { body: { from: 'WH-A', to: 'WH-B', lines: [{ category: tent, quantity: '20' }] } });
    const id = shipped.body.id;
    const ship = await reverse(id);
    expect(ship.status).toBe(409);
    expect(ship.body.error.code).toBe('NOT_REVERSIBLE');
    const received = await app.request('POST', `/transfers/${id}/receive`, { token: keeperB, body: { lines: [{ category: tent, received: '18' }] } });
    expect((await reverse(received.body.id, keeperA)).status).toBe(403);
    const undone = await reverse(received.body.id, keeperB, '实收数量录错');
    expect(undone.status).toBe(201);
    expect((await app.request('GET', `/transfers/${id}`)).body).toMatchObject({ status: 'IN_TRANSIT', settledBy: null });
    expect(await onHand(app, 'WH-B', tent)).toBe('0');
    const again = await app.request('POST', `/transfers/${id}/receive`, { token: keeperB, body: { lines: [{ category: tent, received: '20' }] } });
    expect(again.status).toBe(201);
    expect(await onHand(app, 'WH-B', tent)).toBe('20');
    await expectLedgerHealthy(app);
  });
});
