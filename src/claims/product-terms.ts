import type { Decimal } from '../shared/decimal.js';

/** The six city products; the loader refuses a policies/ folder that lacks one or adds another. */
export const PRODUCT_CODES = [
  'PUBLIC_LIABILITY',
  'EMERGENCY_RESPONSE',
  'BRAVE_DEED',
  'VOLUNTEER',
  'CRIMINAL_INJURY',
  'STAMPEDE',
] as const;
export type ProductCode = (typeof PRODUCT_CODES)[number];

/** The benefit items a claim can ask for. A product offers a subset of them. */
export const BENEFIT_TYPES = ['DEATH', 'DISABILITY', 'MEDICAL', 'FUNERAL', 'RESETTLEMENT', 'LIVING_AID'] as const;
export type BenefitType = (typeof BENEFIT_TYPES)[number];

export const BENEFIT_LABELS_ZH: Readonly<Record<BenefitType, string>> = {
  DEATH: '身故',
  DISABILITY: '伤残',
  MEDICAL: '医疗费用',
  FUNERAL: '丧葬补助',
  RESETTLEMENT: '转移安置补助',
  LIVING_AID: '临时生活救助',
};

export interface MedicalTerms {
  readonly limit: Decimal;
  readonly deductible: Decimal;
  /** Applies when the person has basic medical insurance. */
  readonly ratioInsured: Decimal;
  readonly ratioUninsured: Decimal;
  /** SEPARATE: medical has its own limit beside death/disability (the only mode the terms define). */
  readonly mode: 'SEPARATE';
}

export interface DailyAllowanceTerms {
  readonly ratePerDay: Decimal;
  /** Per person per event, across every claim. */
  readonly cap: Decimal;
}

export type RequiredDocuments = { readonly ALL: readonly string[] } & Partial<Readonly<Record<BenefitType, readonly string[]>>>;

/** One version of one product's terms, as loaded from policies/<PRODUCT>/<validFrom>.v<version>.json. */
export interface ProductTerms {
  readonly productCode: ProductCode;
  readonly nameZh: string;
  readonly version: number;
  readonly validFrom: string;
  /** Last day in force (inclusive); null while no later version replaces it. */
  readonly validTo: string | null;
  readonly coveredEventTypes: readonly string[];
  /** Shared by death and disability, per person, event and product; null when the product has neither. */
  readonly deathDisabilityLimit: Decimal | null;
  readonly medical: MedicalTerms | null;
  readonly funeralGrant: Decimal | null;
  readonly resettlement: DailyAllowanceTerms | null;
  readonly livingAid: DailyAllowanceTerms | null;
  readonly advance: { readonly max: Decimal } | null;
  /** null: the product has no per-event limit. */
  readonly perEventLimit: Decimal | null;
  readonly annualAggregate: Decimal;
  /** A payable total strictly above this needs a second approver. */
  readonly twoApprovalsAbove: Decimal;
  readonly reportDeadlineYears: number;
  readonly statutoryClocks: { readonly decisionDays: number; readonly paymentDays: number };
  readonly requiredDocuments: RequiredDocuments;
  /** What the city budget pays the insurer per policy year. */
  readonly annualPremium: Decimal;
}

/** Which benefit items a product version offers; the single place that maps terms to items. */
export function offeredBenefits(terms: ProductTerms): Set<BenefitType> {
  const offered = new Set<BenefitType>();
  if (terms.deathDisabilityLimit !== null) {
    offered.add('DEATH');
    offered.add('DISABILITY');
  }
  if (terms.medical !== null) offered.add('MEDICAL');
  if (terms.funeralGrant !== null) offered.add('FUNERAL');
  if (terms.resettlement !== null) offered.add('RESETTLEMENT');
  if (terms.livingAid !== null) offered.add('LIVING_AID');
  return offered;
}
