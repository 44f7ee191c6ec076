import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000001Foundation } from './Migration20261128000001Foundation.js';
import { Migration20261128000002Ledger } from './Migration20261128000002Ledger.js';
import { Migration20261128000003Claims } from './Migration20261128000003Claims.js';
import { Migration20261128000004CategoryRules } from './Migration20261128000004CategoryRules.js';
import { Migration20261201000005IdempotencyWithEffect } from './Migration20261201000005IdempotencyWithEffect.js';
import { Migration20261215000006Periods } from './Migration20261215000006Periods.js';
import { Migration20261201000030Payouts } from './Migration20261201000030Payouts.js';
import { Migration20261201000040Trust } from './Migration20261201000040Trust.js';
import { Migration20261201000020Allocations } from './Migration20261201000020Allocations.js';
import { Migration20261220000100PostInOneCall } from './Migration20261220000100PostInOneCall.js';
import { Migration20261220000200LedgerLog } from './Migration20261220000200LedgerLog.js';
import { Migration20261220000300ClaimsApproval } from './Migration20261220000300ClaimsApproval.js';
import { Migration20261220000600AllocationReserve } from './Migration20261220000600AllocationReserve.js';
import { Migration20261220000601AllocationHistory } from './Migration20261220000601AllocationHistory.js';
import { Migration20261220000602ApprovedAdvances } from './Migration20261220000602ApprovedAdvances.js';
import { Migration20261220000500Sessions } from './Migration20261220000500Sessions.js';
import { Migration20261220000150TransferShipInOneCall } from './Migration20261220000150TransferShipInOneCall.js';
import { Migration20261220000700PostInBatches } from './Migration20261220000700PostInBatches.js';
import { Migration20261220000710LeanerPosting } from './Migration20261220000710LeanerPosting.js';

/**
 * Every migration, in order. Listed explicitly rather than discovered on disk, so the same list
 * applies under tsx, vitest and compiled node (a path glob silently applied nothing once).
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261128000001Foundation', class: Migration20261128000001Foundation },
  { name: 'Migration20261128000002Ledger', class: Migration20261128000002Ledger },
  { name: 'Migration20261128000003Claims', class: Migration20261128000003Claims },
  { name: 'Migration20261128000004CategoryRules', class: Migration20261128000004CategoryRules },
  { name: 'Migration20261201000005IdempotencyWithEffect', class: Migration20261201000005IdempotencyWithEffect },
  { name: 'Migration20261215000006Periods', class: Migration20261215000006Periods },
  { name: 'Migration20261201000030Payouts', class: Migration20261201000030Payouts },
  { name: 'Migration20261201000040Trust', class: Migration20261201000040Trust },
  { name: 'Migration20261201000020Allocations', class: Migration20261201000020Allocations },
  { name: 'Migration20261220000100PostInOneCall', class: Migration20261220000100PostInOneCall },
  { name: 'Migration20261220000200LedgerLog', class: Migration20261220000200LedgerLog },
  { name: 'Migration20261220000300ClaimsApproval', class: Migration20261220000300ClaimsApproval },
  { name: 'Migration20261220000600AllocationReserve', class: Migration20261220000600AllocationReserve },
  { name: 'Migration20261220000601AllocationHistory', class: Migration20261220000601AllocationHistory },
  { name: 'Migration20261220000602ApprovedAdvances', class: Migration20261220000602ApprovedAdvances },
  { name: 'Migration20261220000500Sessions', class: Migration20261220000500Sessions },
  { name: 'Migration20261220000150TransferShipInOneCall', class: Migration20261220000150TransferShipInOneCall },
  { name: 'Migration20261220000700PostInBatches', class: Migration20261220000700PostInBatches },
  { name: 'Migration20261220000710LeanerPosting', class: Migration20261220000710LeanerPosting },
];
