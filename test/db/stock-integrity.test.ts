// Proves the database itself guards the ledger (UPDATE, DELETE and TRUNCATE of movements refused, negative balances refused) and that movement rows changed behind the service's back (quantity, reason, user, time, hash, newest rows deleted) are found by verify and check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectLedgerHealthy, newCategory, receipt, seedWarehouses, writeOff, tamperAsSuperuser } from '../http/stock.fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedWarehouses(app);
});
afterAll(() => app.close());

const tamper = (statement: string) => tamperAsSuperuser(app, statement);
const refusal = async (statement: string): Promise<string> => {
  try {
    await app.sql(statement);
  } catch (error) {
    return (error as Error).message;
  }
  return 'not refused';
};

async function postSome(): Promise<{ tent: string }> {
  const tent = await newCategory(app, 'tent');
  await receipt(app, 'WH-A', [{ category: tent, quantity: '10' }]);
  await writeOff(app, 'WH-A', [{ category: tent, quantity: '3' }]);
  await receipt(app, 'WH-A', [{ category: tent, quantity: '5' }]);
  return { tent };
}

describe('the database refuses', () => {
  it('UPDATE, DELETE and TRUNCATE of movements and documents, even for the superuser', async () => {
    const { tent } = await postSome();
    expect(await refusal(`UPDATE stock_movements SET quantity = 1000 WHERE category = '${tent}'`)).toContain('append-only');
    expect(await refusal(`DELETE FROM stock_movements WHERE category = '${tent}'`)).toContain('append-only');
    expect(await refusal('TRUNCATE stock_movements CASCADE')).toContain('append-only');
    expect(await refusal(`UPDATE stock_documents SET reason = 'x'`)).toContain('append-only');
    expect(await refusal(`DELETE FROM stock_documents`)).toContain('append-only');
    const [row] = await app.sql(`SELECT sum(quantity)::text AS q, count(*)::int AS n FROM stock_movements WHERE category = ?`, [tent]);
    expect(row).toEqual({ q: '18.000', n: 3 });
  });

  it('a negative balance, reserved above on hand, and a movement of zero', async () => {
    const { tent } = await postSome();
    expect(await refusal(`UPDATE stock_balances SET on_hand = -1 WHERE category = '${tent}'`)).toMatch(/violates check constraint "stock_balances_(on_hand_not_negative|reserved_within_on_hand)"/);
    expect(await refusal(`UPDATE stock_balances SET reserved = on_hand + 1 WHERE category = '${tent}'`)).toContain('stock_balances_reserved_within_on_hand');
    expect(await refusal(`UPDATE stock_positions SET on_hand = -5 WHERE category = '${tent}'`)).toContain('stock_positions_on_hand_check');
    const zero = await refusal(
      `INSERT INTO stock_movements (id, document_id, line, category, sequence, quantity, from_node, to_node, occurred_at, recorded_at, prev_hash, hash)
       SELECT gen_random_uuid(), document_id, 99, category, 999, 0, 'OPENING', 'LOSS:OTHER', occurred_at, now(), prev_hash, hash FROM stock_movements WHERE category = '${tent}' LIMIT 1`,
    );
    expect(zero).toContain('stock_movements_quantity_check');
    await expectLedgerHealthy(app);
  });
});

describe('tampering behind the service is found', () => {
  it('a quantity edited in place breaks the chain at that row, and check shows the projection disagreeing', async () => {
    const { tent } = await postSome();
    await expectLedgerHealthy(app);
    await tamper(`UPDATE stock_movements SET quantity = 2 WHERE category = '${tent}' AND sequence = 2`);
    const verify = await app.request('GET', '/ledger/verify');
    expect(verify.body.ok).toBe(false);
    expect(verify.body.problems).toEqual([expect.objectContaining({ category: tent, sequence: '2', kind: 'ROW_ALTERED' })]);
    const check = await app.request('GET', '/ledger/check');
    expect(check.body.ok).toBe(false);
    expect(check.body.discrepancies).toContainEqual(expect.objectContaining({ kind: 'BALANCE', category: tent, warehouse: 'WH-A', ledger: '13.000', projection: '12.000' }));
    await tamper(`UPDATE stock_movements SET quantity = 3 WHERE category = '${tent}' AND sequence = 2`);
    await expectLedgerHealthy(app);
  });

  it('a changed reason, user or time of a movement is found at that row, as is a rewritten hash; each undone, the ledger is healthy again', async () => {
    const { tent } = await postSome();
    const otherKeeper = await app.user('keeper-tamper', 'keeper', ['WH-A']);
    expect(otherKeeper).toBeTruthy();
    const [{ id: otherUser }] = await app.sql(`SELECT id::text FROM users WHERE name = 'keeper-tamper'`);
    const [{ user_id: poster }] = await app.sql(`SELECT user_id::text FROM stock_movements WHERE category = ? AND sequence = 2`, [tent]);
    expect(poster).not.toBe(otherUser);
    const alteredAt = async (sequence: string) => {
      const verify = await app.request('GET', '/ledger/verify');
      expect(verify.body.ok).toBe(false);
      expect(verify.body.problems).toEqual([expect.objectContaining({ category: tent, sequence, kind: 'ROW_ALTERED' })]);
    };
    const where = (sequence: number) => `WHERE category = '${tent}' AND sequence = ${sequence}`;

    await tamper(`UPDATE stock_movements SET reason = '正常损耗' ${where(2)}`);
    await alteredAt('2');
    await tamper(`UPDATE stock_movements SET reason = 'DAMAGE' ${where(2)}`);
    await expectLedgerHealthy(app);

    // The write-off is put on another user's name: the user is part of the hashed row.
    await tamper(`UPDATE stock_movements SET user_id = ${Number(otherUser)} ${where(2)}`);
    expect((await app.sql(`SELECT user_id::text FROM stock_movements ${where(2)}`))[0].user_id).toBe(otherUser);
    await alteredAt('2');
    await tamper(`UPDATE stock_movements SET user_id = NULL ${where(2)}`);
    await alteredAt('2');
    await tamper(`UPDATE stock_movements SET user_id = ${Number(poster)} ${where(2)}`);
    await expectLedgerHealthy(app);

    await tamper(`UPDATE stock_movements SET recorded_at = recorded_at + interval '1 microsecond' ${where(1)}`);
    await alteredAt('1');
    await tamper(`UPDATE stock_movements SET recorded_at = recorded_at - interval '1 microsecond' ${where(1)}`);
    await tamper(`UPDATE stock_movements SET recorded_at = recorded_at + interval '1 millisecond' ${where(3)}`);
    await alteredAt('3');
    await tamper(`UPDATE stock_movements SET recorded_at = recorded_at - interval '1 millisecond' ${where(3)}`);
    await expectLedgerHealthy(app);

    await tamper(`UPDATE stock_movements SET hash = repeat('a', 64) ${where(1)}`);
    await alteredAt('1');
  });

  it('deleting the newest movements (and fixing the projections) is found by comparing the chain with its head', async () => {
    const tent = await newCategory(app, 'tent');
    await receipt(app, 'WH-B', [{ category: tent, quantity: '4' }]);
    await receipt(app, 'WH-B', [{ category: tent, quantity: '6' }]);
    await tamper(`DELETE FROM stock_movements WHERE category = '${tent}' AND sequence = 2`);
    await tamper(`UPDATE stock_balances SET on_hand = 4 WHERE category = '${tent}'`);
    const verify = await app.request('GET', '/ledger/verify');
    expect(verify.body.problems).toContainEqual(expect.objectContaining({ category: tent, kind: 'HEAD_MISMATCH', sequence: '2' }));
    const check = await app.request('GET', '/ledger/check');
    expect(check.body.discrepancies.map((d: { kind: string; category: string }) => `${d.kind}:${d.category}`)).toEqual(expect.arrayContaining([`POSITION:${tent}`, `CHAIN_HEAD:${tent}`]));
  });
});
