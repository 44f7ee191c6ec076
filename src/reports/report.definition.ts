/**
 * Report definitions are data (one JSON file per report in reports/): title, sheet, Chinese column
 * headers, widths, kinds of cell, parameters and totals. They are validated once when the service is
 * built, so a bad file stops the start naming the file and the field, as policies/ does.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../config.js';
import { z } from 'zod';

const ROLES = ['admin', 'keeper', 'dispatcher', 'assessor', 'approver', 'finance'] as const;

/** How a column's cells are written: text stays a string cell whatever it starts with. */
export const COLUMN_KINDS = ['text', 'date', 'money', 'quantity', 'integer', 'percent'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

const columnSchema = z.strictObject({
  key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/),
  header: z.string().min(1).max(40),
  width: z.number().int().min(4).max(80),
  kind: z.enum(COLUMN_KINDS),
  /** A SUM formula under the column in the totals row. */
  total: z.boolean().default(false),
  /** Personal data (PIPL): masked as the API masks it (ID: first 6 and last 4; account: last 4) for every role but finance. */
  mask: z.enum(['idNumber', 'bankAccount']).optional(),
});

/** A second sheet of the same workbook with columns of its own (e.g. 赔付率 beside 赔付汇总). */
const appendixSchema = z.strictObject({
  title: z.string().min(1).max(60),
  sheet: z.string().min(1).max(31).refine((s) => !/[\\/?*[\]:]/.test(s), 'a sheet name may not hold \\ / ? * [ ] :'),
  columns: z.array(columnSchema).min(1).max(30),
});

const parameterSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/),
  label: z.string().min(1).max(40),
  type: z.enum(['date', 'code', 'integer', 'text']),
  required: z.boolean().default(false),
  default: z.union([z.string(), z.number()]).optional(),
  min: z.number().int().optional(),
  max: z.number().int().optional(),
});

export const reportDefinitionSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/),
  title: z.string().min(1).max(60),
  sheet: z.string().min(1).max(31).refine((s) => !/[\\/?*[\]:]/.test(s), 'a sheet name may not hold \\ / ? * [ ] :'),
  roles: z.array(z.enum(ROLES)).min(1),
  parameters: z.array(parameterSchema),
  columns: z.array(columnSchema).min(1).max(30),
  /** Label written in the first column of the totals row; no totals row when no column has total. */
  totalLabel: z.string().min(1).max(20).default('合计'),
  landscape: z.boolean().default(true),
  /** Points of the table's text (headers and rows); 9 for the widest registers, so a printed A4 page stays legible. */
  fontSize: z.number().int().min(8).max(12).default(10),
  /** Labels of the signature line under the table of a printable form (e.g. 经办人：, 负责人：). */
  signatures: z.array(z.string().min(1).max(30)).max(6).default([]),
  /** false: no title block, the header is row 1 (a file another system imports, such as the bank's). */
  titleBlock: z.boolean().default(true),
  /**
   * Texts of the totals row by column key, `{rows}` standing for the number of data rows (the bank file:
   * 合计 under the names, "3 笔" under 用途). Without it the first column reads "合计（N 行）".
   */
  totalTexts: z.record(z.string(), z.string().min(1).max(30)).optional(),
  /** A document served at a route of its own (the bank file, the pick list): not listed or run under /reports. */
  servedAt: z.string().regex(/^\/[a-z0-9/:._-]+$/).optional(),
  appendix: appendixSchema.optional(),
});

export type ReportDefinition = z.infer<typeof reportDefinitionSchema>;
export type ReportParameter = z.infer<typeof parameterSchema>;
export type ReportColumn = z.infer<typeof columnSchema>;

/** Reads and validates every *.json of the folder; throws naming the file and the field of the first problem. */
export function loadReportDefinitions(dir: string): ReportDefinition[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files.map((file) => {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      throw new Error(`report definition ${file}: not JSON: ${(error as Error).message}`);
    }
    const parsed = reportDefinitionSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`report definition ${file}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
    }
    if (`${parsed.data.name}.json` !== file) throw new Error(`report definition ${file}: name: "${parsed.data.name}" does not match the file name`);
    checkColumns(file, 'columns', parsed.data.columns);
    if (parsed.data.appendix) checkColumns(file, 'appendix.columns', parsed.data.appendix.columns);
    for (const key of Object.keys(parsed.data.totalTexts ?? {})) {
      if (!parsed.data.columns.some((c) => c.key === key)) throw new Error(`report definition ${file}: totalTexts.${key}: no column has that key`);
    }
    return parsed.data;
  });
}

function checkColumns(file: string, field: string, columns: ReportColumn[]): void {
  const keys = new Set<string>();
  for (const [i, column] of columns.entries()) {
    if (keys.has(column.key)) throw new Error(`report definition ${file}: ${field}.${i}.key: "${column.key}" appears twice`);
    keys.add(column.key);
    if (column.total && !['money', 'quantity', 'integer'].includes(column.kind)) throw new Error(`report definition ${file}: ${field}.${i}.total: a ${column.kind} column cannot be summed`);
    if (column.mask && column.kind !== 'text') throw new Error(`report definition ${file}: ${field}.${i}.mask: only a text column can be masked`);
  }
}

const byDir = new Map<string, ReportDefinition[]>();

/**
 * One definition of the folder (the shipped reports/ by default), read and validated once per process:
 * how the bank file and the pick list, served by routes of their own, reach their definitions.
 */
export function reportDefinition(name: string, dir = resolve(PROJECT_ROOT, 'reports')): ReportDefinition {
  let definitions = byDir.get(dir);
  if (!definitions) byDir.set(dir, (definitions = loadReportDefinitions(dir)));
  const found = definitions.find((d) => d.name === name);
  if (!found) throw new Error(`report definition ${name}.json: not found in ${dir}`);
  return found;
}

/** The zod schema of a report's query string, built from its parameters. */
export function parameterSchemaOf(definition: ReportDefinition): z.ZodType<Record<string, string | number | undefined>> {
  const shape: Record<string, z.ZodType> = {};
  for (const p of definition.parameters) {
    let field: z.ZodType =
      p.type === 'date' ? z.iso.date()
        : p.type === 'integer' ? z.coerce.number().int().min(p.min ?? 0).max(p.max ?? 100_000)
          : p.type === 'text' ? z.string().trim().min(1).max(100)
            : z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/);
    if (p.default !== undefined) field = field.default(p.default as never);
    else if (!p.required) field = field.optional();
    shape[p.name] = field;
  }
  return z.strictObject(shape) as unknown as z.ZodType<Record<string, string | number | undefined>>;
}
