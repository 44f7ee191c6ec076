import {
  CLAIM_READERS,
  advanceSchema,
  assessmentSchema,
  bankSchema,
  claimListQuerySchema,
  intakeSchema,
  optionalReasonSchema,
  paySchema,
  reasonSchema,
  revealSchema,
  surveySchema,
} from '../../claims/index.js';
import type { Services } from '../../services.js';
import { created, ok, pageQuery, route } from '../route.js';
import { AccessLog, Advanced, Assessed, Claim, ClaimHistory, ClaimPage, RegisteredClaim, Revealed, Surveyed } from '../replies/claims.replies.js';

const CLAIM = '{id, number, product, productVersion, event, status, claimant, documents, assessed, approved, payable, advancePaid, paid, remaining, recoveryOwed, assessment, dueDates, overdue, ...}';

export function claimRoutes({ claims }: Services) {
  return [
    route({
      method: 'post', path: '/claims', tag: 'claims', roles: ['assessor'], body: intakeSchema,
      summary: 'Register a reported claim; the reply lists, in one notice, the documents still missing',
      reply: RegisteredClaim, responses: { 201: '{id, number, status, product, productVersion, documents: {required, received, missing, notice}}' },
      handle: async ({ actor, body }) => created(await claims.register(actor, body)),
    }),
    route({
      method: 'get', path: '/claims', tag: 'claims', roles: CLAIM_READERS, query: claimListQuerySchema,
      summary: 'Claims by product, event, status (comma-separated), district, report and incident dates, overdue; ID and bank numbers masked except for finance',
      reply: ClaimPage, responses: { 200: '{items, total}' },
      handle: async ({ actor, query }) => ok(await claims.list(actor, query)),
    }),
    route({
      method: 'get', path: '/claims/:id', tag: 'claims', roles: CLAIM_READERS, summary: 'One claim, by id or number',
      reply: Claim, responses: { 200: CLAIM },
      handle: async ({ actor, params }) => ok(await claims.get(actor, params.id!)),
    }),
    route({
      method: 'get', path: '/claims/:id/history', tag: 'claims', roles: CLAIM_READERS, summary: 'Every change to the claim: who, when, what, before and after',
      reply: ClaimHistory, responses: { 200: '{claimId, number, items: [{at, actor, action, details, before, after}]}' },
      handle: async ({ actor, params }) => ok(await claims.history(actor, params.id!)),
    }),
    route({
      method: 'post', path: '/claims/:id/reveal', tag: 'claims', roles: ['assessor'], body: revealSchema,
      summary: 'The claimant\'s full ID and bank account number, for a stated reason (1–500 characters); every reveal is recorded in the access log',
      reply: Revealed, responses: { 200: '{idNumber, bankAccount?}' },
      handle: async ({ actor, params, body }) => ok(await claims.reveal(actor, params.id!, body)),
    }),
    route({
      method: 'get', path: '/access-log', tag: 'claims', roles: ['admin'], query: pageQuery,
      summary: 'Every reveal of personal data, newest first: who, when, why, which claim, which fields',
      reply: AccessLog, responses: { 200: '{items: [{id, at, actor, claim, fields, reason}], total}' },
      handle: async ({ actor, query }) => ok(await claims.accessLog(actor, query)),
    }),
    route({
      method: 'post', path: '/claims/:id/survey', tag: 'claims', roles: ['assessor'], body: surveySchema,
      summary: 'Record the site survey: surveyor, date, findings and documents received',
      reply: Surveyed, responses: { 200: '{id, number, status, decisionDueOn, documents}' },
      handle: async ({ actor, params, body }) => ok(await claims.survey(actor, params.id!, body)),
    }),
    route({
      method: 'post', path: '/claims/:id/assessment', tag: 'claims', roles: ['assessor', 'approver'], body: assessmentSchema,
      summary: 'Assess the loss item by item under the product version of the incident date; each payable comes with its formula',
      reply: Assessed, responses: { 200: '{items: [{type, payable, explanation}], total, advancePaid, remaining, recoveryOwed, needsSecondApproval, status}' },
      handle: async ({ actor, params, body }) => ok(await claims.assess(actor, params.id!, body)),
    }),
    route({
      method: 'post', path: '/claims/:id/advance', tag: 'claims', roles: ['approver', 'finance'], body: advanceSchema,
      summary: 'Approve an advance before the assessment, where the product allows it (up to its maximum); a payout batch or POST /claims/:id/pay pays it',
      reply: Advanced, responses: { 200: '{id, number, status, advanceApproved, advancePaid, advanceUnpaid, advanceMax, approvedOn}' },
      handle: async ({ actor, params, body }) => ok(await claims.advance(actor, params.id!, body)),
    }),
    route({
      method: 'post', path: '/claims/:id/approve', tag: 'claims', roles: ['approver'],
      summary: 'Approve (never by an assessor of the claim; above the threshold a second, different approver); over a limit the claim is HELD',
      reply: Claim, responses: { 200: CLAIM },
      handle: async ({ actor, params }) => ok(await claims.approve(actor, params.id!)),
    }),
    route({
      method: 'post', path: '/claims/:id/reject', tag: 'claims', roles: ['approver'], body: reasonSchema,
      summary: 'Reject with a written reason', reply: Claim, responses: { 200: CLAIM },
      handle: async ({ actor, params, body }) => ok(await claims.reject(actor, params.id!, body.reason)),
    }),
    route({
      method: 'post', path: '/claims/:id/return', tag: 'claims', roles: ['approver'], body: reasonSchema,
      summary: 'Return to the assessor with a reason', reply: Claim, responses: { 200: CLAIM },
      handle: async ({ actor, params, body }) => ok(await claims.return(actor, params.id!, body.reason)),
    }),
    route({
      method: 'post', path: '/claims/:id/withdraw', tag: 'claims', roles: ['assessor', 'approver'], body: optionalReasonSchema,
      summary: 'Withdraw at the claimant\'s request (until approved)', reply: Claim, responses: { 200: CLAIM },
      handle: async ({ actor, params, body }) => ok(await claims.withdraw(actor, params.id!, body.reason)),
    }),
    route({
      method: 'post', path: '/claims/:id/reopen', tag: 'claims', roles: ['assessor', 'approver'], body: reasonSchema,
      summary: 'Reopen a paid, closed or rejected claim; its next assessment pays only the difference', reply: Claim, responses: { 200: CLAIM },
      handle: async ({ actor, params, body }) => ok(await claims.reopen(actor, params.id!, body.reason)),
    }),
    route({
      method: 'post', path: '/claims/:id/pay', tag: 'claims', roles: ['finance'], body: paySchema,
      summary: 'Record the payment of what is left after any advance', reply: Claim, responses: { 200: CLAIM },
      handle: async ({ actor, params, body }) => ok(await claims.pay(actor, params.id!, body)),
    }),
    route({
      method: 'put', path: '/claims/:id/bank', tag: 'claims', roles: ['assessor', 'finance'], body: bankSchema,
      summary: 'Correct the claimant\'s bank details (after a refused payment); recorded in the history; refused while the claim is in an open payout batch',
      reply: Claim, responses: { 200: CLAIM },
      handle: async ({ actor, params, body }) => ok(await claims.changeBank(actor, params.id!, body)),
    }),
    route({
      method: 'post', path: '/claims/:id/close', tag: 'claims', roles: ['finance'],
      summary: 'Close a paid claim', reply: Claim, responses: { 200: CLAIM },
      handle: async ({ actor, params }) => ok(await claims.close(actor, params.id!)),
    }),
  ];
}
