// Shared helpers for the claims unit tests: the shipped catalogue and a fold of assessments into prior payments.
import { fileURLToPath } from 'node:url';
import { Decimal } from '../../../src/shared/decimal.js';
import { loadPolicies, type Assessment, type PolicyCatalog, type PriorPayments } from './core.js';

export const POLICIES_DIR = fileURLToPath(new URL('../../../policies', import.meta.url));

let catalog: PolicyCatalog | undefined;
export function shippedCatalog(): PolicyCatalog {
  catalog ??= loadPolicies(POLICIES_DIR);
  return catalog;
}

/** Terms of a product in force on an ordinary day of the first policy year. */
export function termsOf(productCode: string) {
  return shippedCatalog().versionFor(productCode, '2021-03-15');
}

export const d = (text: string | number): Decimal => new Decimal(text);

/** What an approved assessment adds to the person's prior payments, as the claims service will record it. */
export function addToPrior(prior: PriorPayments, assessment: Assessment, claimId: string): PriorPayments {
  let next = { ...prior, reimbursedInvoices: new Map(prior.reimbursedInvoices) };
  for (const item of assessment.items) {
    switch (item.type) {
      case 'DEATH':
        next = { ...next, deathDisabilityPaid: next.deathDisabilityPaid.plus(item.payable) };
        break;
      case 'DISABILITY': {
        const worst = next.worstDisabilityGradePaid;
        const grade = item.grade!;
        next = {
          ...next,
          deathDisabilityPaid: next.deathDisabilityPaid.plus(item.payable),
          worstDisabilityGradePaid: worst === null || grade < worst ? grade : worst,
        };
        break;
      }
      case 'MEDICAL':
        next = {
          ...next,
          medicalPaid: next.medicalPaid.plus(item.payable),
          medicalDeductibleUsed: (next.medicalDeductibleUsed ?? d(0)).plus(item.deductibleApplied ?? d(0)),
        };
        for (const invoice of item.invoices ?? []) if (invoice.counted) next.reimbursedInvoices.set(invoice.number, claimId);
        break;
      case 'FUNERAL':
        next = { ...next, funeralPaid: next.funeralPaid.plus(item.payable) };
        break;
      case 'RESETTLEMENT':
        next = { ...next, resettlementPaid: next.resettlementPaid.plus(item.payable) };
        break;
      case 'LIVING_AID':
        next = { ...next, livingAidPaid: next.livingAidPaid.plus(item.payable) };
        break;
    }
  }
  return next;
}
