import { useEffect, useState } from 'react';
import { api, call, type Page } from './api/client';

export interface Category {
  code: string;
  name: string;
  /** Class then subclass, e.g. 防护用品 / 救援被装. */
  classPath: string[];
  unit: string;
  scale: number;
  lotTracked: boolean;
  spec?: string | null;
}
export interface Warehouse {
  code: string;
  name: string;
  district?: string;
}

let categories: Promise<Map<string, Category>> | null = null;
let warehouses: Promise<Warehouse[]> | null = null;

/** The whole catalog (about 2,000 categories), fetched once per page load. */
export function loadCategories(): Promise<Map<string, Category>> {
  return (categories ??= (async () => {
    const all: Category[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await call<Page<Category>>(api.GET('/categories', { params: { query: { limit: 500, offset } } }));
      all.push(...page.items);
      if (page.items.length < 500 || all.length >= page.total) break;
    }
    return new Map(all.map((c) => [c.code, c]));
  })().catch((error) => {
    categories = null;
    throw error;
  }));
}

export function loadWarehouses(): Promise<Warehouse[]> {
  return (warehouses ??= call<Page<Warehouse>>(api.GET('/warehouses', { params: { query: { limit: 500 } } })).then((p) => p.items).catch((error) => {
    warehouses = null;
    throw error;
  }));
}

export function useCatalog(): { categories: Map<string, Category>; warehouses: Warehouse[] } {
  const [state, setState] = useState<{ categories: Map<string, Category>; warehouses: Warehouse[] }>({ categories: new Map(), warehouses: [] });
  useEffect(() => {
    Promise.all([loadCategories(), loadWarehouses().catch(() => [])]).then(([c, w]) => setState({ categories: c, warehouses: w })).catch(() => undefined);
  }, []);
  return state;
}

export const categoryLabel = (c: Category | undefined, code: string): string => (c ? `${c.name}（${code}）` : code);
