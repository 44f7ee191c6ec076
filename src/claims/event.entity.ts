import { BigIntType, EntitySchema } from '@mikro-orm/core';

/** An insurance event (事件) recorded once by the bureau; claims of every product hang on it. */
export class ClaimEvent {
  id!: string;
  type!: string;
  name!: string;
  /** YYYY-MM-DD; MikroORM leaves date columns as text. */
  occurredOn!: string;
  district!: string;
  createdBy!: string;
  createdAt: Date = new Date();
}

export const ClaimEventSchema = new EntitySchema<ClaimEvent>({
  class: ClaimEvent,
  tableName: 'claim_events',
  properties: {
    id: { type: new BigIntType('string'), primary: true, autoincrement: true },
    type: { type: 'string' },
    name: { type: 'string' },
    occurredOn: { type: 'date', columnType: 'date' },
    district: { type: 'string' },
    createdBy: { type: new BigIntType('string'), fieldName: 'created_by' },
    createdAt: { type: 'Date', onCreate: () => new Date() },
  },
});
