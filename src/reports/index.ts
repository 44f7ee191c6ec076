/** The Excel reports (报表): definitions in reports/, one query per report, a streaming writer. */
export { ReportsService, generatedAt, type OpenedReport } from './reports.service.js';
export { loadReportDefinitions, reportDefinition, reportDefinitionSchema, type ReportDefinition } from './report.definition.js';
export { XLSX_TYPE, writeReport, writeWorkbook, workbookBuffer, HEADER_ROW, BUREAU, type ReportRow } from './report.writer.js';
