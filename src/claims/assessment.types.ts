import { Decimal } from '../shared/decimal.js';
import type { BenefitType, ProductTerms } from './product-terms.js';

export interface MedicalInvoice {
  /** Invoice number as printed; compared trimmed and uppercased. */
  readonly number: string;
  readonly amount: Decimal;
  /** Part of the invoice outside the reimbursable catalogue (自费/目录外). */
  readonly excluded?: Decimal;
}

export type ClaimedItem =
  | { readonly type: 'DEATH' }
  | { readonly type: 'DISABILITY'; readonly grade: number }
  | {
      readonly type: 'MEDICAL';
      readonly invoices: readonly MedicalInvoice[];
      readonly paidBySocialInsurance?: Decimal;
      readonly paidByOtherInsurance?: Decimal;
    }
  | { readonly type: 'FUNERAL' }
  | { readonly type: 'RESETTLEMENT'; readonly days: number }
  | { readonly type: 'LIVING_AID'; readonly days: number };

/**
 * What was already paid or approved for the same person, event and product (other claims, and this
 * claim's own earlier assessment when it is reopened). Limits are per person per event, so the engine
 * needs these to pay only what is left.
 */
export interface PriorPayments {
  readonly deathDisabilityPaid: Decimal;
  /** The most severe (lowest) disability grade paid so far, or null if none. */
  readonly worstDisabilityGradePaid: number | null;
  readonly medicalPaid: Decimal;
  /**
   * Deductible already absorbed by earlier medical assessments for this person and event. Optional:
   * when absent the full deductible applies, exactly as the terms' formula is written.
   */
  readonly medicalDeductibleUsed?: Decimal;
  readonly funeralPaid: Decimal;
  readonly resettlementPaid: Decimal;
  readonly livingAidPaid: Decimal;
  /** Every invoice number already reimbursed under any claim and any product → the claim that took it. */
  readonly reimbursedInvoices: ReadonlyMap<string, string>;
}

export interface AssessmentInput {
  readonly terms: ProductTerms;
  readonly hasMedicalInsurance: boolean;
  readonly items: readonly ClaimedItem[];
  readonly prior: PriorPayments;
}

export interface InvoiceOutcome {
  readonly number: string;
  readonly amount: Decimal;
  readonly excluded: Decimal;
  /** True when this assessment takes the invoice; the caller records it as reimbursed on approval. */
  readonly counted: boolean;
  readonly reason?: string;
}

export interface AssessedItem {
  readonly type: BenefitType;
  readonly payable: Decimal;
  /** The formula with its numbers filled in, so the claimant and the approver can check it by hand. */
  readonly explanation: string;
  readonly grade?: number;
  readonly invoices?: readonly InvoiceOutcome[];
  readonly deductibleApplied?: Decimal;
}

export interface Assessment {
  readonly items: readonly AssessedItem[];
  readonly total: Decimal;
}

export function noPriorPayments(): PriorPayments {
  const zero = new Decimal(0);
  return {
    deathDisabilityPaid: zero,
    worstDisabilityGradePaid: null,
    medicalPaid: zero,
    funeralPaid: zero,
    resettlementPaid: zero,
    livingAidPaid: zero,
    reimbursedInvoices: new Map(),
  };
}

/** Invoice numbers are compared in this form everywhere (prior map keys included). */
export function normalizeInvoiceNumber(number: string): string {
  return number.trim().toUpperCase();
}
