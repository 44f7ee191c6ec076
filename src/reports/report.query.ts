import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../shared/actor.js';
import type { CursorQuery } from './report.source.js';
import type { ReportRow } from './report.writer.js';

/** What a report query needs: who asks, and the parameters already checked against its definition. */
export interface ReportRequest {
  em: EntityManager;
  actor: Actor;
  params: Record<string, string | number | undefined>;
  /** The Chinese name of an insurance product (from policies/), the code when unknown. */
  productName(code: string): string;
  /** GET /products/:code/loss-ratio?year= for this actor: the payouts service's own figures. */
  lossRatio(code: string, year: number): Promise<LossRatioFigures>;
}

/** One policy year of GET /products/:code/loss-ratio. */
export interface LossRatioFigures {
  items: { policyYear: number; from: string; to: string; premium: string; claims: number; paid: string; recovered: string; net: string; lossRatio: string; netLossRatio: string }[];
}

/** A report ready to stream: access and parameters checked (a refusal happens before any byte is sent). */
export interface PreparedReport {
  period: string;
  filters: string[];
  /** Lines 3 and 4 of the title block when 期间/筛选 do not fit (a certificate: date and number, donor and warehouse). */
  heading?: [string, string];
  /** Part of the file name after the title, e.g. "2026-11-01_2026-11-30". */
  fileSuffix: string;
  rows: CursorQuery<any>;
  /** Rows of the definition's appendix sheet (few, computed when the report is opened). */
  appendix?: ReportRow[];
}

/** One per file in src/reports/queries/, named as its definition in reports/. */
export interface ReportQuery {
  name: string;
  prepare(request: ReportRequest): Promise<PreparedReport>;
}
