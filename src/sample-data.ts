import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Services } from './services.js';
import { addDays, todayInCity } from './shared/dates.js';
import { firstDayOf, periodOf } from './stock/index.js';

/** Loads imports/warehouses.csv, imports/catalog.csv, imports/opening-stock.csv and imports/kits.csv into an empty database; a database with data is left alone. */
export async function loadSampleDataIfEmpty(services: Services, config: Config, log: Logger): Promise<boolean> {
  if (!config.loadSampleData || !(await services.catalog.isEmpty())) return false;
  const options = { dryRun: false, maxRows: config.limits.importRows, source: 'sample data' };
  const warehouses = await services.catalog.importWarehouses(null, await readFile(join(config.paths.imports, 'warehouses.csv')), options);
  const categories = await services.catalog.importCategories(null, await readFile(join(config.paths.imports, 'catalog.csv')), options);
  // Opening stock only into a ledger that has not started, so a restart never posts it twice. It is
  // dated on the last day of the previous month, and that month is closed (月结), so the period
  // machinery (frozen openings, refused dates, reversals into the open month) shows on first start.
  let closed: string | null = null;
  let opening = null;
  if (await services.stock.isEmpty()) {
    const openingDate = addDays(firstDayOf(periodOf(todayInCity())), -1);
    opening = await services.stock.importOpeningStock(null, await readFile(join(config.paths.imports, 'opening-stock.csv')), options, openingDate);
    closed = (await services.stock.periods.close(null, periodOf(openingDate))).period;
  }
  const kits = await services.allocations.kits.importKits(null, await readFile(join(config.paths.imports, 'kits.csv')), options);
  log.info({ warehouses: warehouses.inserted, categories: categories.inserted, openingStockRows: opening?.inserted ?? 0, closedPeriod: closed, kitLines: kits.inserted }, 'sample data loaded');
  return true;
}
