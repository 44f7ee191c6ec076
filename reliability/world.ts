/**
 * The little world the load runs in: warehouses, categories of each kind (whole units, tonnes with
 * three decimals, lot-tracked with expiry), users of each role, and what the load has created so far
 * (documents, transfers in transit, open stocktakes) for later operations to pick from.
 */
import { addDays, todayInCity } from '../src/shared/dates.js';
import { createUser, type Target } from './target.js';

export interface Category {
  code: string;
  scale: number;
  lotTracked: boolean;
}

export interface Actor {
  name: string;
  token: string;
  role: 'admin' | 'keeper' | 'dispatcher' | 'assessor' | 'approver' | 'finance';
  /** Warehouses a keeper keeps; admins act anywhere. */
  warehouses: string[] | 'all';
}

export interface KnownDocument {
  id: string;
  type: string;
  warehouses: string[];
}

export interface OpenTransfer {
  id: string;
  from: string;
  to: string;
  lines: { category: string; lot: string | null; quantity: string }[];
}

export interface OpenStocktake {
  id: string;
  warehouse: string;
  lines: { category: string; lot: string | null; book: string }[];
  counted: boolean;
}

/** An allocation order still holding stock, and the warehouses it holds it in. */
export interface OpenAllocation {
  id: string;
  warehouses: string[];
}

export interface World {
  prefix: string;
  warehouses: string[];
  categories: Category[];
  actors: Actor[];
  lots: { lot: string; expiresOn: string }[];
  documents: KnownDocument[];
  transfers: OpenTransfer[];
  stocktakes: OpenStocktake[];
  allocations: OpenAllocation[];
}

const CATEGORY_KINDS = [
  { prefix: 'TENT', name: '帐篷', unit: '顶', scale: 0, lotTracked: false },
  { prefix: 'RICE', name: '大米', unit: 't', scale: 3, lotTracked: false },
  { prefix: 'WATER', name: '饮用水', unit: '箱', scale: 0, lotTracked: true },
] as const;

/** Creates warehouses, categories and users through the API (as an operator would). */
export async function buildWorld(target: Target, options: { prefix?: string; categoriesPerKind?: number; warehouses?: number } = {}): Promise<World> {
  const prefix = options.prefix ?? `R${Date.now().toString(36).slice(-4).toUpperCase()}`;
  const warehouses = Array.from({ length: options.warehouses ?? 3 }, (_, i) => `${prefix}-WH${i + 1}`);
  const warehouseCsv = ['编码,名称,级别,所在区,地址,纬度,经度,启用', ...warehouses.map((code, i) => `${code},可靠性测试库${i + 1},DISTRICT,市南区,某路${i + 1}号,36.100000,120.400000,是`)].join('\n');
  const wh = await target.request('POST', '/imports/warehouses', { raw: warehouseCsv });
  if (wh.status !== 200) throw new Error(`cannot import warehouses: ${wh.status} ${JSON.stringify(wh.body)}`);

  const categories: Category[] = [];
  const rows = ['编码,名称,大类,小类,计量单位,数量精度,批次管理'];
  for (const kind of CATEGORY_KINDS) {
    for (let i = 1; i <= (options.categoriesPerKind ?? 2); i++) {
      const code = `${prefix}-${kind.prefix}-${i}`;
      categories.push({ code, scale: kind.scale, lotTracked: kind.lotTracked });
      rows.push(`${code},${kind.name}${i},生活保障物资,可靠性测试,${kind.unit},${kind.scale},${kind.lotTracked ? '是' : '否'}`);
    }
  }
  const cat = await target.request('POST', '/imports/catalog', { raw: rows.join('\n') });
  if (cat.status !== 200) throw new Error(`cannot import categories: ${cat.status} ${JSON.stringify(cat.body)}`);

  const actors: Actor[] = [{ name: 'admin', token: target.adminToken, role: 'admin', warehouses: 'all' }];
  for (const [i, code] of warehouses.slice(0, 2).entries()) {
    const name = `${prefix}-keeper-${i + 1}`;
    actors.push({ name, token: await createUser(target, name, 'keeper', [code]), role: 'keeper', warehouses: [code] });
  }
  const dispatcher = `${prefix}-dispatcher-1`;
  actors.push({ name: dispatcher, token: await createUser(target, dispatcher, 'dispatcher'), role: 'dispatcher', warehouses: [] });
  const today = todayInCity();
  return {
    prefix, warehouses, categories, actors,
    lots: [100, 200, 400].map((days, i) => ({ lot: `L${i + 1}`, expiresOn: addDays(today, days) })),
    documents: [], transfers: [], stocktakes: [], allocations: [],
  };
}
