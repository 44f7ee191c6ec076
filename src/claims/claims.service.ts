import type { EntityManager } from '@mikro-orm/postgresql';
import { requireRole, type Actor } from '../shared/actor.js';
import { todayInCity } from '../shared/dates.js';
import type { PolicyCatalog } from './policy.loader.js';
import type { ClaimsContext } from './claims.context.js';
import type { AdvanceInput, AssessmentRequest, BankInput, ClaimListQuery, IntakeInput, PayInput, SurveyInput } from './claims.schemas.js';
import { registerClaim, surveyClaim } from './claim-intake.service.js';
import { assessClaim, approveAdvance } from './claim-assessment.service.js';
import { approveClaim } from './claim-approval.service.js';
import { closeClaim, endClaim, payClaim, reopenClaim, returnClaim } from './claim-decisions.service.js';
import { settleEvent } from './event-settlement.service.js';
import { changeBank } from './claim-bank.service.js';
import { claimHistory, getClaim, listClaims } from './claims-query.service.js';
import { personalDataAccessLog, revealPersonalData, type RevealInput } from './personal-data-access.service.js';

/**
 * The claims capability as one object for the HTTP routes and the CLI. Each operation checks the
 * actor's role itself, so no caller can skip it: assessors register, survey and assess; approvers
 * approve (and may assess, which then bars them from approving that claim); finance settles and pays.
 */
export class ClaimsService {
  private readonly ctx: ClaimsContext;

  constructor(em: EntityManager, policies: PolicyCatalog, today: () => string = () => todayInCity()) {
    this.ctx = { em, policies, today };
  }

  register(actor: Actor, input: IntakeInput) {
    requireRole(actor, 'assessor');
    return registerClaim(this.ctx, actor, input);
  }

  survey(actor: Actor, key: string, input: SurveyInput) {
    requireRole(actor, 'assessor');
    return surveyClaim(this.ctx, actor, key, input);
  }

  assess(actor: Actor, key: string, input: AssessmentRequest) {
    requireRole(actor, 'assessor', 'approver');
    return assessClaim(this.ctx, actor, key, input);
  }

  advance(actor: Actor, key: string, input: AdvanceInput) {
    requireRole(actor, 'approver', 'finance');
    return approveAdvance(this.ctx, actor, key, input);
  }

  approve(actor: Actor, key: string) {
    requireRole(actor, 'approver');
    return approveClaim(this.ctx, actor, key);
  }

  reject(actor: Actor, key: string, reason: string) {
    requireRole(actor, 'approver');
    return endClaim(this.ctx, actor, key, 'reject', reason);
  }

  withdraw(actor: Actor, key: string, reason?: string) {
    requireRole(actor, 'assessor', 'approver');
    return endClaim(this.ctx, actor, key, 'withdraw', reason);
  }

  return(actor: Actor, key: string, reason: string) {
    requireRole(actor, 'approver');
    return returnClaim(this.ctx, actor, key, reason);
  }

  reopen(actor: Actor, key: string, reason: string) {
    requireRole(actor, 'assessor', 'approver');
    return reopenClaim(this.ctx, actor, key, reason);
  }

  pay(actor: Actor, key: string, input: PayInput) {
    requireRole(actor, 'finance');
    return payClaim(this.ctx, actor, key, input);
  }

  /** Assessors take the bank details at intake; finance corrects them after a refused payment. */
  changeBank(actor: Actor, key: string, input: BankInput) {
    requireRole(actor, 'assessor', 'finance');
    return changeBank(this.ctx, actor, key, input);
  }

  close(actor: Actor, key: string) {
    requireRole(actor, 'finance');
    return closeClaim(this.ctx, actor, key);
  }

  settleEvent(actor: Actor, eventId: string) {
    return settleEvent(this.ctx, actor, eventId);
  }

  get(actor: Actor, key: string) {
    return getClaim(this.ctx, actor, key);
  }

  list(actor: Actor, query: ClaimListQuery) {
    return listClaims(this.ctx, actor, query);
  }

  history(actor: Actor, key: string) {
    return claimHistory(this.ctx, actor, key);
  }

  /** The full ID and account number, recorded with who asked and why. */
  reveal(actor: Actor, key: string, input: RevealInput) {
    requireRole(actor, 'assessor');
    return revealPersonalData(this.ctx, actor, key, input);
  }

  accessLog(actor: Actor, page: { limit: number; offset: number }) {
    requireRole(actor, 'admin');
    return personalDataAccessLog(this.ctx, actor, page);
  }
}
