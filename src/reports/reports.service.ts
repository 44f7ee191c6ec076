import type { Writable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import { requireRole, type Actor } from '../shared/actor.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { CITY_TIME_ZONE } from '../shared/dates.js';
import { loadReportDefinitions, parameterSchemaOf, type ReportDefinition } from './report.definition.js';
import type { LossRatioFigures, ReportQuery } from './report.query.js';
import { cursorBatches } from './report.source.js';
import { appendixDefinition, writeWorkbook, type SheetPlan } from './report.writer.js';
import { REPORT_QUERIES } from './queries/index.js';

export interface OpenedReport {
  fileName: string;
  definition: ReportDefinition;
  /** Writes the xlsx to `out` (reading through a connection of its own) and ends it. */
  write(out: Writable, onRows?: (rows: number) => void): Promise<void>;
}

export const generatedAt = (now = new Date()) => new Intl.DateTimeFormat('sv-SE', { timeZone: CITY_TIME_ZONE, dateStyle: 'short', timeStyle: 'medium' }).format(now);

/** The Excel reports: definitions from reports/ (validated at start-up) joined with their queries. */
export class ReportsService {
  private readonly byName: Map<string, { definition: ReportDefinition; query: ReportQuery }>;

  constructor(
    private readonly em: EntityManager,
    dir: string,
    private readonly connectionString: () => string,
    private readonly productName: (code: string) => string = (code) => code,
    private readonly lossRatio: (actor: Actor, code: string, year: number) => Promise<LossRatioFigures> = async () => ({ items: [] }),
  ) {
    const definitions = loadReportDefinitions(dir);
    this.byName = new Map();
    for (const definition of definitions) {
      // The bank file and the pick list: served by routes of their own (validated here all the same).
      if (definition.servedAt) continue;
      const query = REPORT_QUERIES.find((q) => q.name === definition.name);
      if (!query) throw new Error(`report definition ${definition.name}.json: name: no report query of that name in src/reports/queries`);
      this.byName.set(definition.name, { definition, query });
    }
  }

  list(actor: Actor) {
    const items = [...this.byName.values()].filter(({ definition }) => definition.roles.includes(actor.role)).map(({ definition }) => ({
      name: definition.name, title: definition.title,
      parameters: definition.parameters.map((p) => ({ name: p.name, label: p.label, type: p.type, required: p.required, ...(p.default !== undefined ? { default: p.default } : {}) })),
    }));
    return { items };
  }

  /** Checks role, parameters and scope, so a refusal is an ordinary error before the download starts. */
  async open(actor: Actor, name: string, query: Record<string, unknown>): Promise<OpenedReport> {
    const found = this.byName.get(name);
    if (!found) throw new NotFoundError('report', name);
    const { definition } = found;
    requireRole(actor, ...definition.roles);
    const parsed = parameterSchemaOf(definition).safeParse(query);
    if (!parsed.success) {
      throw new ValidationError(`report ${name}: bad parameters`, parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'query', value: null, reason: i.message })));
    }
    const prepared = await found.query.prepare({ em: this.em.fork(), actor, params: parsed.data, productName: this.productName, lossRatio: (code, year) => this.lossRatio(actor, code, year) });
    return {
      fileName: `${definition.title}_${prepared.fileSuffix}.xlsx`,
      definition,
      write: async (out, onRows) => {
        const batches = cursorBatches(this.connectionString(), prepared.rows);
        const title = { period: prepared.period, filters: prepared.filters, ...(prepared.heading ? { heading: prepared.heading } : {}) };
        const appendix = appendixDefinition(definition);
        const sheets: SheetPlan[] = [{ definition, content: { ...title, batches } }];
        if (appendix && prepared.appendix) sheets.push({ definition: appendix, content: { ...title, batches: [prepared.appendix] } });
        // Personal data in full for finance only, as in every API reply.
        await writeWorkbook(sheets, out, { generatedAt: generatedAt(), unmasked: actor.role === 'finance', ...(onRows ? { onRows } : {}) });
      },
    };
  }
}
