import { BENEFIT_TYPES, type BenefitType, type ProductTerms } from './product-terms.js';

/**
 * The documents a claim needs: the product's common list plus the list of each benefit claimed, once
 * each, in the order of the policy file (the order the notice to the claimant lists them).
 */
export function requiredDocuments(terms: ProductTerms, benefits: readonly BenefitType[]): string[] {
  const lists = [terms.requiredDocuments.ALL, ...BENEFIT_TYPES.filter((type) => benefits.includes(type)).map((type) => terms.requiredDocuments[type] ?? [])];
  return [...new Set(lists.flat())];
}

/** Every document name the product knows; anything else handed in is a typo worth refusing. */
export function knownDocuments(terms: ProductTerms): Set<string> {
  return new Set(requiredDocuments(terms, BENEFIT_TYPES));
}

export function missingDocuments(required: readonly string[], received: Iterable<string>): string[] {
  const have = new Set(received);
  return required.filter((name) => !have.has(name));
}

/** Insurance Law art. 22: what is missing is asked for in one notice, not piecemeal. */
export function documentsNotice(claimNumber: string, missing: readonly string[]): string | null {
  if (missing.length === 0) return null;
  return `理赔 ${claimNumber} 请一次性补充以下材料 (please provide, in one go): ${missing.map((name, index) => `${index + 1}. ${name}`).join('; ')}`;
}
