import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { XLSX_TYPE } from '../../reports/index.js';
import type { Services } from '../../services.js';
import { ok, route } from '../route.js';
import { ReportCatalogue } from '../replies/system.replies.js';

/** Report parameters arrive as single query values; which ones a report takes its definition says. */
const reportQuery = z.record(z.string(), z.string().max(64));

/** GET /reports lists the reports the caller may run; GET /reports/:name.xlsx streams one. */
export function reportRoutes({ reports }: Services) {
  return [
    route({
      method: 'get', path: '/reports', tag: 'reports', roles: 'any', summary: 'The Excel reports (报表) this user may run, with their parameters',
      reply: ReportCatalogue, responses: { 200: '{items: [{name, title, parameters: [{name, label, type, required, default}]}]}' },
      handle: async ({ actor }) => ok(reports.list(actor)),
    }),
    route({
      method: 'get', path: '/reports/:name.xlsx', tag: 'reports', roles: 'any', produces: XLSX_TYPE, query: reportQuery,
      summary: 'One report as xlsx, streamed; parameters (from, to, warehouse, …) as in GET /reports; keepers see their warehouses',
      responses: { 200: 'the xlsx file' },
      handle: async ({ actor, params, query, koa, log }) => {
        // Role, parameters and scope are checked here, before the status line is sent.
        const report = await reports.open(actor, params.name!, query);
        const body = new PassThrough();
        report.write(body).catch((error: unknown) => {
          log.error({ err: error, report: params.name }, 'report failed while streaming');
          body.destroy(error as Error);
        });
        koa.set('Content-Type', XLSX_TYPE);
        koa.set('Content-Disposition', `attachment; filename="${report.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(report.fileName)}`);
        return ok(body);
      },
    }),
  ];
}
