// Proves the claim state machine allows the documented paths and refuses the rest with a ConflictError naming status and action.
import { describe, it, expect } from 'vitest';
import { ConflictError } from '../../../src/shared/errors.js';
import {
  CLAIM_ACTIONS,
  CLAIM_STATUSES,
  CLAIM_TRANSITIONS,
  allowedActions,
  firstApprovalAction,
  transition,
  type ClaimAction,
  type ClaimStatus,
} from './core.js';

function walk(from: ClaimStatus, actions: ClaimAction[]): ClaimStatus {
  return actions.reduce(transition, from);
}

describe('claim status transitions', () => {
  it('walks the ordinary path, with one or two approvals', () => {
    expect(walk('REPORTED', ['survey', 'assess', firstApprovalAction(false), 'pay', 'close'])).toBe('CLOSED');
    expect(walk('REPORTED', ['survey', 'assess', firstApprovalAction(true)])).toBe('PENDING_SECOND_APPROVAL');
    expect(walk('PENDING_SECOND_APPROVAL', ['approve_second', 'pay'])).toBe('PAID');
  });

  it('holds an approval over a limit until finance settles it', () => {
    expect(walk('ASSESSED', ['hold', 'settle', 'pay'])).toBe('PAID');
    expect(walk('PENDING_SECOND_APPROVAL', ['hold', 'reject'])).toBe('REJECTED');
  });

  it('allows reassessing a returned claim and a reopened one', () => {
    expect(walk('ASSESSED', ['return', 'assess'])).toBe('ASSESSED');
    expect(walk('PAID', ['reopen', 'assess', 'approve'])).toBe('APPROVED');
    expect(walk('CLOSED', ['reopen', 'assess'])).toBe('ASSESSED');
    expect(walk('REJECTED', ['reopen', 'assess'])).toBe('ASSESSED');
  });

  it('refuses a disallowed action with a ConflictError naming the status and the action', () => {
    const refused: [ClaimStatus, ClaimAction][] = [
      ['REPORTED', 'assess'],
      ['ASSESSED', 'pay'],
      ['ASSESSED', 'approve_second'],
      ['PENDING_SECOND_APPROVAL', 'approve'],
      ['APPROVED', 'withdraw'],
      ['PAID', 'pay'],
      ['WITHDRAWN', 'reopen'],
      ['HELD', 'approve'],
    ];
    for (const [status, action] of refused) {
      let caught: unknown;
      try {
        transition(status, action);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConflictError);
      expect((caught as ConflictError).code).toBe('CLAIM_STATUS_CONFLICT');
      expect((caught as ConflictError).message).toContain(status);
      expect((caught as ConflictError).message).toContain(action);
    }
  });

  it('leaves WITHDRAWN final and lets every other status move somewhere', () => {
    expect(allowedActions('WITHDRAWN')).toEqual([]);
    for (const status of CLAIM_STATUSES.filter((s) => s !== 'WITHDRAWN')) expect(allowedActions(status).length).toBeGreaterThan(0);
  });

  it('only ever leads to known statuses with known actions', () => {
    for (const status of CLAIM_STATUSES) {
      for (const [action, next] of Object.entries(CLAIM_TRANSITIONS[status])) {
        expect(CLAIM_ACTIONS).toContain(action);
        expect(CLAIM_STATUSES).toContain(next);
      }
    }
  });
});
