// The public face of the claims capability: other folders import from here only.
export {
  PRODUCT_CODES,
  BENEFIT_TYPES,
  BENEFIT_LABELS_ZH,
  offeredBenefits,
  type ProductCode,
  type BenefitType,
  type ProductTerms,
  type MedicalTerms,
  type DailyAllowanceTerms,
  type RequiredDocuments,
} from './product-terms.js';
export { loadPolicies, PolicyCatalog, EVENT_TYPES_FILE } from './policy.loader.js';
export { policyFileSchema, eventTypeCatalogSchema, type EventType, type PolicyFile } from './policy.schema.js';
export {
  validateResidentId,
  isValidResidentId,
  normalizeIdNumber,
  residentIdCheckCharacter,
  maskIdNumber,
  maskAccountNumber,
} from './resident-id.js';
export { shownPersonalData, seesFullPersonalData } from './personal-data.js';
export { revealSchema, type RevealInput } from './personal-data-access.service.js';
export { PROVINCE_CODES, RESIDENCE_PERMIT_REGIONS, regionCodeProblem } from './region-codes.js';
export {
  assess,
  noPriorPayments,
  normalizeInvoiceNumber,
  settleRemainder,
  applyAdvance,
  needsSecondApproval,
  checkApprovalLimits,
  policyYearOf,
  policyYearRange,
  type AssessmentInput,
  type Assessment,
  type AssessedItem,
  type ClaimedItem,
  type MedicalInvoice,
  type InvoiceOutcome,
  type PriorPayments,
  type HeldClaim,
  type SettledClaim,
  type Settlement,
  type AdvanceOutcome,
  type LimitCheck,
} from './assessment.js';
export {
  CLAIM_STATUSES,
  CLAIM_ACTIONS,
  CLAIM_STATUS_LABELS_ZH,
  CLAIM_TRANSITIONS,
  transition,
  allowedActions,
  canTransition,
  firstApprovalAction,
  type ClaimStatus,
  type ClaimAction,
} from './claim-status.js';
export { ClaimsService } from './claims.service.js';
export { EventsService, CLAIM_READERS, productView, type EventView } from './events.service.js';
export { ClaimEvent, ClaimEventSchema } from './event.entity.js';
export * from './claims.schemas.js';
export { requiredDocuments, missingDocuments } from './claim-documents.js';
export { CLAIM_COLUMNS, balances, changeClaim, findClaim, lockClaim, toClaimRow, type ClaimRow } from './claims.repository.js';
export { applyAdvancePayments, applyPayments, claimsWithOpenRecovery, unpaidAdvance, closeIfSettled, lockClaims, openPayoutLine, reversePayment, type PaymentToApply, type ReversedPayment } from './claim-payments.js';
export { ADVANCE_PAYABLE_STATUSES } from './claim-status.js';
