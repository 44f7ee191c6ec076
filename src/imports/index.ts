export { runImport, type ImportFormat, type ImportOptions, type ImportReport, type ImportPhase, MAX_LISTED_PROBLEMS } from './import.runner.js';
export { readLimited, decodeCsvBytes, readCsvRecords, type ColumnSpec, type CsvRecord } from './csv-source.js';
export { RowReader } from './fields.js';
