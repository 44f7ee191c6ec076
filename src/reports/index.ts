/** The Excel reports (报表): definitions in reports/, one query per report, a streaming writer. */
export { ReportsService, type OpenedReport } from './reports.service.js';
export { loadReportDefinitions, reportDefinitionSchema, type ReportDefinition } from './report.definition.js';
export { XLSX_TYPE, writeReport, HEADER_ROW, BUREAU, type ReportRow } from './report.writer.js';
