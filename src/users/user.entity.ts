import { ArrayType, BigIntType, EntitySchema } from '@mikro-orm/core';

export const ROLES = ['admin', 'keeper', 'dispatcher', 'assessor', 'approver', 'finance'] as const;
export type Role = (typeof ROLES)[number];

export class User {
  id!: string;
  name!: string;
  role!: Role;
  warehouses: string[] = [];
  active = true;
  createdAt: Date = new Date();
}

export class ApiToken {
  tokenHash!: string;
  user!: User;
  createdAt: Date = new Date();
  revokedAt?: Date | null;
  expiresAt?: Date | null;
}

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: new BigIntType('string'), primary: true, autoincrement: true },
    name: { type: 'string' },
    role: { type: 'string' },
    warehouses: { type: ArrayType },
    active: { type: 'boolean' },
    createdAt: { type: 'Date', onCreate: () => new Date() },
  },
});

export const ApiTokenSchema = new EntitySchema<ApiToken>({
  class: ApiToken,
  tableName: 'api_tokens',
  properties: {
    tokenHash: { type: 'string', primary: true },
    user: { kind: 'm:1', entity: () => User },
    createdAt: { type: 'Date' },
    revokedAt: { type: 'Date', nullable: true },
    expiresAt: { type: 'Date', nullable: true },
  },
});
