// Proves that every shipped report definition validates and that a bad one is refused naming its file and field.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReportDefinitions, parameterSchemaOf } from '../../../src/reports/report.definition.js';
import { REPORT_QUERIES } from '../../../src/reports/queries/index.js';

const REPORTS = resolve(import.meta.dirname, '../../../reports');

function folderWith(name: string, edit: (json: any) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'reports-'));
  const json = JSON.parse(readFileSync(join(REPORTS, 'movement-journal.json'), 'utf8'));
  edit(json);
  writeFileSync(join(dir, name), JSON.stringify(json));
  return dir;
}

describe('report definitions', () => {
  it('every file in reports/ is valid and has its query', () => {
    const definitions = loadReportDefinitions(REPORTS);
    const names = definitions.filter((d) => !d.servedAt).map((d) => d.name);
    expect(names.sort()).toEqual(REPORT_QUERIES.map((q) => q.name).sort());
    // The documents served by routes of their own go through the same writer and validation.
    expect(definitions.filter((d) => d.servedAt).map((d) => [d.name, d.servedAt])).toEqual([
      ['bank-file', '/payout-batches/:id/bank-file.xlsx'], ['pick-list', '/allocations/:id/pick-list.xlsx'],
    ]);
  });

  it('a bad file names the file and the field', () => {
    expect(() => loadReportDefinitions(folderWith('movement-journal.json', (j) => (j.columns[2].width = 'wide')))).toThrow(/movement-journal\.json: columns\.2\.width/);
    expect(() => loadReportDefinitions(folderWith('movement-journal.json', (j) => (j.colums = [])))).toThrow(/movement-journal\.json: .*colums/);
    expect(() => loadReportDefinitions(folderWith('movement-journal.json', (j) => (j.columns[0].total = true)))).toThrow(/columns\.0\.total/);
    expect(() => loadReportDefinitions(folderWith('other.json', () => undefined))).toThrow(/other\.json: name/);
    expect(() => loadReportDefinitions(folderWith('movement-journal.json', (j) => (j.columns[9].mask = 'bankAccount')))).toThrow(/movement-journal\.json: columns\.9\.mask/);
    expect(() => loadReportDefinitions(folderWith('movement-journal.json', (j) => (j.totalTexts = { nosuch: '合计' })))).toThrow(/movement-journal\.json: totalTexts\.nosuch/);
    expect(() => loadReportDefinitions(folderWith('movement-journal.json', (j) => (j.appendix = { title: 'x', sheet: 'a/b', columns: j.columns })))).toThrow(/movement-journal\.json: appendix\.sheet/);
  });

  it('parameters become a strict query schema', () => {
    const [definition] = loadReportDefinitions(REPORTS).filter((d) => d.name === 'stock-ledger');
    const schema = parameterSchemaOf(definition!);
    expect(schema.safeParse({ from: '2025-01-01', to: '2025-01-31' }).success).toBe(true);
    expect(schema.safeParse({ from: '2025-01-01' }).success).toBe(false);
    expect(schema.safeParse({ from: '2025-01-01', to: '2025-01-31', warehouse: "'; DROP" }).success).toBe(false);
  });
});
