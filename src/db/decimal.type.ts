import { type EntityProperty, type Platform, Type } from '@mikro-orm/core';
import { Decimal } from '../shared/decimal.js';

/**
 * PostgreSQL numeric ↔ decimal.js Decimal. Values are written with the column's scale so the
 * string MikroORM compares for change tracking matches what PostgreSQL returns (no spurious UPDATEs).
 */
export class DecimalType extends Type<Decimal | null | undefined, string | null | undefined> {
  constructor(private readonly scale: number) {
    super();
  }

  override convertToDatabaseValue(value: Decimal | string | null | undefined): string | null | undefined {
    if (value === null || value === undefined) return value;
    return new Decimal(value).toFixed(this.scale);
  }

  override convertToJSValue(value: string | null | undefined): Decimal | null | undefined {
    if (value === null || value === undefined) return value;
    return new Decimal(value);
  }

  override compareAsType(): string {
    return 'string';
  }

  override getColumnType(prop: EntityProperty, _platform: Platform): string {
    return `numeric(${prop.precision ?? 18},${prop.scale ?? this.scale})`;
  }
}
