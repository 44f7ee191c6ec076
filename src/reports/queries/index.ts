import type { ReportQuery } from '../report.query.js';
import { allocationSummaryReport } from './allocation-summary.report.js';
import { claimsRegisterReport, overdueClaimsReport } from './claims-register.report.js';
import { donationCertificateReport } from './donation-certificate.report.js';
import { movementJournalReport } from './movement-journal.report.js';
import { payoutsSummaryReport } from './payouts-summary.report.js';
import { stockAlertsReport } from './stock-alerts.report.js';
import { stockLedgerReport } from './stock-ledger.report.js';

/** Every report query; each must have its definition in reports/ and each definition its query. */
export const REPORT_QUERIES: readonly ReportQuery[] = [stockLedgerReport, movementJournalReport, stockAlertsReport, claimsRegisterReport, overdueClaimsReport, payoutsSummaryReport, donationCertificateReport, allocationSummaryReport];
