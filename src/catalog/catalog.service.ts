import type { EntityManager } from '@mikro-orm/postgresql';
import { type Actor, NotFoundError, requireRole, requireWarehouse } from '../shared/index.js';
import { type ImportOptions, type ImportReport, runImport } from '../imports/import.runner.js';
import { Category, Warehouse } from './catalog.entity.js';
import { categoryImport, warehouseImport } from './catalog.import.js';
import { forkOf } from '../db/request-transaction.js';

export interface Page {
  limit: number;
  offset: number;
}

export interface CategoryView {
  code: string;
  name: string;
  classPath: [string, string];
  unit: string;
  scale: number;
  lotTracked: boolean;
  spec: string | null;
}

export interface WarehouseView {
  code: string;
  name: string;
  level: string;
  district: string;
  address: string;
  lat: string;
  lon: string;
  active: boolean;
}

export function toCategoryView(c: Category): CategoryView {
  return { code: c.code, name: c.name, classPath: [c.majorClass, c.minorClass], unit: c.unit, scale: c.scale, lotTracked: c.lotTracked, spec: c.spec ?? null };
}

export function toWarehouseView(w: Warehouse): WarehouseView {
  return { code: w.code, name: w.name, level: w.level, district: w.district, address: w.address, lat: w.lat.toFixed(6), lon: w.lon.toFixed(6), active: w.active };
}

/** Escapes LIKE wildcards so a search for "50%" finds the text "50%". */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class CatalogService {
  constructor(private readonly em: EntityManager) {}

  async listCategories(q: string | undefined, page: Page): Promise<{ items: CategoryView[]; total: number }> {
    const where = q ? { $or: ['code', 'name', 'majorClass', 'minorClass', 'spec'].map((field) => ({ [field]: { $ilike: likePattern(q) } })) } : {};
    const [rows, total] = await forkOf(this.em).findAndCount(Category, where, { orderBy: { code: 'asc' }, limit: page.limit, offset: page.offset });
    return { items: rows.map(toCategoryView), total };
  }

  async getCategory(code: string): Promise<CategoryView> {
    const found = await forkOf(this.em).findOne(Category, { code });
    if (!found) throw new NotFoundError('category', code);
    return toCategoryView(found);
  }


  /** Keepers see only the warehouses they keep; every other role sees all. */
  async listWarehouses(actor: Actor, q: string | undefined, page: Page): Promise<{ items: WarehouseView[]; total: number }> {
    const search = q ? { $or: ['code', 'name', 'district', 'address'].map((field) => ({ [field]: { $ilike: likePattern(q) } })) } : {};
    const where = actor.role === 'keeper' ? { $and: [search, { code: { $in: [...actor.warehouses] } }] } : search;
    const [rows, total] = await forkOf(this.em).findAndCount(Warehouse, where, { orderBy: { code: 'asc' }, limit: page.limit, offset: page.offset });
    return { items: rows.map(toWarehouseView), total };
  }

  async getWarehouse(actor: Actor, code: string): Promise<WarehouseView> {
    if (actor.role === 'keeper') requireWarehouse(actor, code);
    const found = await forkOf(this.em).findOne(Warehouse, { code });
    if (!found) throw new NotFoundError('warehouse', code);
    return toWarehouseView(found);
  }

  async importCategories(actor: Actor | null, bytes: Buffer, options: ImportOptions): Promise<ImportReport> {
    if (actor) requireRole(actor, 'admin');
    return runImport(this.em, categoryImport, bytes, { ...options, userId: actor?.id });
  }

  async importWarehouses(actor: Actor | null, bytes: Buffer, options: ImportOptions): Promise<ImportReport> {
    if (actor) requireRole(actor, 'admin');
    return runImport(this.em, warehouseImport, bytes, { ...options, userId: actor?.id });
  }

  async isEmpty(): Promise<boolean> {
    const em = forkOf(this.em);
    return (await em.count(Category, {})) === 0 && (await em.count(Warehouse, {})) === 0;
  }
}
