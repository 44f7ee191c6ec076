// Proves the batching rule on its own: only APPROVED claims with something left after advances and payments, or approved advances not yet paid before the final approval (ADVANCE), never one already in an open batch, a refused one only after its bank details changed, and the purpose of each line.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/shared/decimal.js';
import { payoutEligibility, type LastLine, type PayableClaim } from '../../../src/payouts/index.js';

const claim = (over: Partial<PayableClaim> = {}): PayableClaim => ({
  number: 'LP00000001', status: 'APPROVED', approvedTotal: new Decimal('1000.00'), advanceApproved: new Decimal(0), advancePaid: new Decimal(0), paidTotal: new Decimal(0),
  bankAccountName: '张三', bankAccountNumber: '6222020200112233445', bankName: '工行', ...over,
});
const line = (state: LastLine['state'], over: Partial<LastLine> = {}): LastLine => ({
  state, batch: 'PB00000001', accountName: '张三', accountNumber: '6222020200112233445', bankName: '工行', failureReason: state === 'FAILED' ? '账号有误' : null, ...over,
});

describe('payout eligibility', () => {
  it('pays what is left after the advance and earlier payments, as FINAL, DIFFERENCE or REISSUE', () => {
    expect(payoutEligibility(claim({ advancePaid: new Decimal('300.00') }), null)).toEqual({ payable: true, amount: new Decimal('700.00'), purpose: 'FINAL' });
    expect(payoutEligibility(claim({ paidTotal: new Decimal('999.99') }), line('PAID'))).toMatchObject({ payable: true, purpose: 'DIFFERENCE' });
    expect((payoutEligibility(claim({ paidTotal: new Decimal('999.99') }), null) as { amount: Decimal }).amount.toFixed(2)).toBe('0.01');
    expect(payoutEligibility(claim(), line('RETURNED'))).toMatchObject({ payable: true, purpose: 'REISSUE' });
    expect(payoutEligibility(claim(), line('FAILED', { accountNumber: '6217000011112222333' }))).toMatchObject({ payable: true, purpose: 'REISSUE' });
    expect(payoutEligibility(claim(), line('CANCELLED'))).toMatchObject({ payable: true, purpose: 'FINAL' });
  });

  it('refuses with a code and a reason naming the claim', () => {
    const cases: [PayableClaim, LastLine | null, string][] = [
      [claim({ status: 'CLOSED' }), null, 'PAID_IN_FULL'],
      [claim({ status: 'PAID' }), null, 'PAID_IN_FULL'],
      [claim({ status: 'ASSESSED' }), null, 'NOT_APPROVED'],
      [claim({ advancePaid: new Decimal('1000.00') }), null, 'NOTHING_TO_PAY'],
      [claim({ advancePaid: new Decimal('1200.00') }), null, 'NOTHING_TO_PAY'],
      [claim(), line('PENDING'), 'ALREADY_BATCHED'],
      [claim(), line('FAILED'), 'BANK_NOT_CORRECTED'],
    ];
    for (const [c, last, code] of cases) {
      const verdict = payoutEligibility(c, last);
      expect(verdict).toMatchObject({ payable: false, code });
      expect((verdict as { reason: string }).reason).toContain('LP00000001');
    }
  });

  it('pays an approved advance before the final approval as ADVANCE, by the same rules; after approval it is part of the final', () => {
    const advanced = { status: 'SURVEYED', approvedTotal: new Decimal(0), advanceApproved: new Decimal('10000.00') };
    expect(payoutEligibility(claim(advanced), null)).toEqual({ payable: true, amount: new Decimal('10000.00'), purpose: 'ADVANCE' });
    expect(payoutEligibility(claim({ ...advanced, advancePaid: new Decimal('4000.00') }), line('PAID'))).toEqual({ payable: true, amount: new Decimal('6000.00'), purpose: 'ADVANCE' });
    expect(payoutEligibility(claim({ ...advanced, advancePaid: new Decimal('10000.00') }), null)).toMatchObject({ payable: false, code: 'NOT_APPROVED' });
    expect(payoutEligibility(claim(advanced), line('PENDING'))).toMatchObject({ payable: false, code: 'ALREADY_BATCHED' });
    expect(payoutEligibility(claim(advanced), line('FAILED'))).toMatchObject({ payable: false, code: 'BANK_NOT_CORRECTED' });
    expect(payoutEligibility(claim({ ...advanced, status: 'REJECTED' }), null)).toMatchObject({ payable: false, code: 'NOT_APPROVED' });
    // Approved with 10,000.00 of the advance unpaid: the final pays approved less what was paid in advance.
    expect(payoutEligibility(claim({ approvedTotal: new Decimal('30000.00'), advanceApproved: new Decimal('10000.00') }), null)).toEqual({ payable: true, amount: new Decimal('30000.00'), purpose: 'FINAL' });
  });
});
