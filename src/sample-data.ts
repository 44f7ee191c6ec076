import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Services } from './services.js';

/** Loads imports/warehouses.csv and imports/catalog.csv into an empty database; a database with data is left alone. */
export async function loadSampleDataIfEmpty(services: Services, config: Config, log: Logger): Promise<boolean> {
  if (!config.loadSampleData || !(await services.catalog.isEmpty())) return false;
  const options = { dryRun: false, maxRows: config.limits.importRows, source: 'sample data' };
  const warehouses = await services.catalog.importWarehouses(null, await readFile(join(config.paths.imports, 'warehouses.csv')), options);
  const categories = await services.catalog.importCategories(null, await readFile(join(config.paths.imports, 'catalog.csv')), options);
  log.info({ warehouses: warehouses.inserted, categories: categories.inserted }, 'sample data loaded');
  return true;
}
