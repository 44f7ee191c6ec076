// The pure claims core as the unit tests see it: what src/claims/index.ts exports minus the services and
// entities, so a unit test loads in milliseconds instead of pulling in MikroORM and pg (which matters
// when Stryker re-runs the tests once per mutant).
export { PRODUCT_CODES, BENEFIT_TYPES, BENEFIT_LABELS_ZH, offeredBenefits, type ProductCode, type BenefitType, type ProductTerms } from '../../../src/claims/product-terms.js';
export { loadPolicies, PolicyCatalog } from '../../../src/claims/policy.loader.js';
export * from '../../../src/claims/resident-id.js';
export * from '../../../src/claims/assessment.js';
export * from '../../../src/claims/claim-status.js';
