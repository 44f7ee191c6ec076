import { ConflictError } from '../shared/errors.js';

export const CLAIM_STATUSES = [
  'REPORTED',
  'SURVEYED',
  'ASSESSED',
  'PENDING_SECOND_APPROVAL',
  'HELD',
  'APPROVED',
  'PAID',
  'CLOSED',
  'RETURNED',
  'REJECTED',
  'WITHDRAWN',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/**
 * `approve` is the only approval of a claim at or below the two-approval threshold; above it the first
 * approver uses `approve_first` and a different person `approve_second`. `hold` is used instead of an
 * approval that would pass a per-event limit or the annual aggregate; `settle` is finance's pro-rata
 * decision on a held claim. `payment_returned` is the bank sending a paid amount back (it is reversed).
 */
export const CLAIM_ACTIONS = [
  'survey',
  'assess',
  'approve',
  'approve_first',
  'approve_second',
  'hold',
  'settle',
  'reject',
  'return',
  'withdraw',
  'reopen',
  'pay',
  'close',
  'payment_returned',
] as const;
export type ClaimAction = (typeof CLAIM_ACTIONS)[number];

export const CLAIM_STATUS_LABELS_ZH: Readonly<Record<ClaimStatus, string>> = {
  REPORTED: '已报案',
  SURVEYED: '已查勘',
  ASSESSED: '已核损',
  PENDING_SECOND_APPROVAL: '待复核审批',
  HELD: '超限暂缓',
  APPROVED: '已审批',
  PAID: '已赔付',
  CLOSED: '已结案',
  RETURNED: '已退回',
  REJECTED: '已拒赔',
  WITHDRAWN: '已撤案',
};

/**
 * The whole life of a claim as data, so reports, the UI and the tests read the same table.
 * A claimant may withdraw until the claim is approved (after that the money is in a payout batch).
 * Reopening (a worse disability grade, new invoices, an appeal) goes back to SURVEYED to be reassessed.
 */
export const CLAIM_TRANSITIONS: Readonly<Record<ClaimStatus, Readonly<Partial<Record<ClaimAction, ClaimStatus>>>>> = {
  REPORTED: { survey: 'SURVEYED', reject: 'REJECTED', withdraw: 'WITHDRAWN' },
  SURVEYED: { assess: 'ASSESSED', reject: 'REJECTED', withdraw: 'WITHDRAWN' },
  ASSESSED: {
    approve: 'APPROVED',
    approve_first: 'PENDING_SECOND_APPROVAL',
    hold: 'HELD',
    return: 'RETURNED',
    reject: 'REJECTED',
    withdraw: 'WITHDRAWN',
  },
  PENDING_SECOND_APPROVAL: {
    approve_second: 'APPROVED',
    hold: 'HELD',
    return: 'RETURNED',
    reject: 'REJECTED',
    withdraw: 'WITHDRAWN',
  },
  HELD: { settle: 'APPROVED', reject: 'REJECTED', withdraw: 'WITHDRAWN' },
  APPROVED: { pay: 'PAID' },
  // A payment the bank returns is reversed: the claim is payable again until it is reissued.
  PAID: { close: 'CLOSED', reopen: 'SURVEYED', payment_returned: 'APPROVED' },
  CLOSED: { reopen: 'SURVEYED', payment_returned: 'APPROVED' },
  RETURNED: { survey: 'SURVEYED', assess: 'ASSESSED', reject: 'REJECTED', withdraw: 'WITHDRAWN' },
  REJECTED: { reopen: 'SURVEYED' },
  WITHDRAWN: {},
};

export function allowedActions(status: ClaimStatus): ClaimAction[] {
  return CLAIM_ACTIONS.filter((action) => CLAIM_TRANSITIONS[status][action] !== undefined);
}

export function canTransition(status: ClaimStatus, action: ClaimAction): boolean {
  return CLAIM_TRANSITIONS[status]?.[action] !== undefined;
}

/** The next status, or a ConflictError naming the current status and the refused action. */
export function transition(status: ClaimStatus, action: ClaimAction): ClaimStatus {
  const next = CLAIM_TRANSITIONS[status]?.[action];
  if (next === undefined) {
    const allowed = CLAIM_TRANSITIONS[status] ? allowedActions(status) : [];
    throw new ConflictError(
      'CLAIM_STATUS_CONFLICT',
      `a claim in status ${status} cannot ${action} (allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`,
      { status, action, allowed },
    );
  }
  return next;
}

/** The action that records a first approval, given whether the payable needs a second approver. */
export function firstApprovalAction(needsSecond: boolean): 'approve' | 'approve_first' {
  return needsSecond ? 'approve_first' : 'approve';
}

/**
 * Where an approved advance is still paid as an advance: before the final approval. Once the claim is
 * APPROVED, what is left of an unpaid advance is simply part of the final payable.
 */
export const ADVANCE_PAYABLE_STATUSES: readonly ClaimStatus[] = ['REPORTED', 'SURVEYED', 'ASSESSED', 'PENDING_SECOND_APPROVAL', 'HELD', 'RETURNED'];
