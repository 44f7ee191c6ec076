import { EntitySchema } from '@mikro-orm/core';
import { DecimalType } from '../db/decimal.type.js';
import type { Decimal } from '../shared/decimal.js';

export const WAREHOUSE_LEVELS = ['CITY', 'DISTRICT', 'AGREEMENT'] as const;
export type WarehouseLevel = (typeof WAREHOUSE_LEVELS)[number];

/** One supply category (物资品类); every category has its own ledger (台帐). */
export class Category {
  code!: string;
  name!: string;
  majorClass!: string;
  minorClass!: string;
  unit!: string;
  /** Decimal places a quantity may carry: 0 for pieces, up to 3 for weight and volume. */
  scale!: number;
  lotTracked!: boolean;
  spec?: string | null;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

/** A reserve warehouse (储备库) at city or district level, or stock held under agreement. */
export class Warehouse {
  code!: string;
  name!: string;
  level!: WarehouseLevel;
  district!: string;
  address!: string;
  lat!: Decimal;
  lon!: Decimal;
  active = true;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const CategorySchema = new EntitySchema<Category>({
  class: Category,
  tableName: 'categories',
  properties: {
    code: { type: 'string', primary: true },
    name: { type: 'string' },
    majorClass: { type: 'string' },
    minorClass: { type: 'string' },
    unit: { type: 'string' },
    scale: { type: 'smallint' },
    lotTracked: { type: 'boolean' },
    spec: { type: 'string', nullable: true },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date', onUpdate: () => new Date() },
  },
});

export const WarehouseSchema = new EntitySchema<Warehouse>({
  class: Warehouse,
  tableName: 'warehouses',
  properties: {
    code: { type: 'string', primary: true },
    name: { type: 'string' },
    level: { type: 'string' },
    district: { type: 'string' },
    address: { type: 'string' },
    lat: { type: new DecimalType(6), precision: 9, scale: 6 },
    lon: { type: new DecimalType(6), precision: 9, scale: 6 },
    active: { type: 'boolean' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date', onUpdate: () => new Date() },
  },
});
