// The public face of the payouts capability: other folders import from here only.
export { PayoutsService } from './payouts.service.js';
export {
  MAX_BATCH_LINES,
  createBatchSchema,
  cancelBatchSchema,
  confirmSchema,
  returnPaymentSchema,
  recoverySchema,
  collectSchema,
  batchListQuerySchema,
  recoveryListQuerySchema,
  summaryQuerySchema,
  lossRatioQuerySchema,
  type LineOutcome,
} from './payouts.schemas.js';
export { payoutEligibility, type Eligibility, type PayableClaim, type LastLine } from './payout-eligibility.js';
export { bankFileCsv, bankFileXlsx, bankFileHeaders, type BankFileLine } from './bank-file.js';
export { RETURN_FILE_COLUMNS } from './return-file.js';
export { THIRD_PARTY_PRODUCTS } from './recoveries.service.js';
