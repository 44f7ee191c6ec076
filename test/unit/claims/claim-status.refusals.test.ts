// Proves what the claim state machine says when it answers or refuses: the allowed actions in their fixed order, canTransition, and the exact refusal with its details, also for a status it does not know.
import { describe, it, expect } from 'vitest';
import { ConflictError } from '../../../src/shared/errors.js';
import { allowedActions, canTransition, firstApprovalAction, transition, type ClaimAction, type ClaimStatus } from './core.js';

function refusalOf(status: ClaimStatus, action: ClaimAction): ConflictError {
  try {
    transition(status, action);
  } catch (error) {
    if (error instanceof ConflictError) return error;
    throw error;
  }
  throw new Error('expected a ConflictError');
}

describe('allowedActions and canTransition', () => {
  it('lists the actions of a status in the order of CLAIM_ACTIONS', () => {
    expect(allowedActions('REPORTED')).toEqual(['survey', 'reject', 'withdraw']);
    expect(allowedActions('ASSESSED')).toEqual(['approve', 'approve_first', 'hold', 'reject', 'return', 'withdraw']);
    expect(allowedActions('APPROVED')).toEqual(['pay']);
    expect(allowedActions('PAID')).toEqual(['reopen', 'close', 'payment_returned']);
    expect(allowedActions('CLOSED')).toEqual(['reopen', 'payment_returned']);
  });

  it('answers yes exactly for the allowed actions', () => {
    expect(canTransition('HELD', 'settle')).toBe(true);
    expect(canTransition('HELD', 'approve')).toBe(false);
    expect(canTransition('APPROVED', 'withdraw')).toBe(false);
    expect(canTransition('UNKNOWN' as ClaimStatus, 'survey')).toBe(false);
  });

  it('chooses the single or the first of two approvals', () => {
    expect(firstApprovalAction(false)).toBe('approve');
    expect(firstApprovalAction(true)).toBe('approve_first');
  });
});

describe('transition refusals', () => {
  it('names the status, the action and what is allowed instead', () => {
    const error = refusalOf('APPROVED', 'withdraw');
    expect(error.code).toBe('CLAIM_STATUS_CONFLICT');
    expect(error.message).toBe('a claim in status APPROVED cannot withdraw (allowed: pay)');
    expect(error.details).toEqual({ status: 'APPROVED', action: 'withdraw', allowed: ['pay'] });
    expect(refusalOf('REPORTED', 'pay').message).toBe('a claim in status REPORTED cannot pay (allowed: survey, reject, withdraw)');
  });

  it('says none is allowed from a final status or a status it does not know', () => {
    expect(refusalOf('WITHDRAWN', 'reopen').message).toBe('a claim in status WITHDRAWN cannot reopen (allowed: none)');
    const unknown = refusalOf('LOST' as ClaimStatus, 'survey');
    expect(unknown.message).toBe('a claim in status LOST cannot survey (allowed: none)');
    expect(unknown.details).toEqual({ status: 'LOST', action: 'survey', allowed: [] });
  });
});
