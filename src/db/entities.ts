import { CategorySchema, WarehouseSchema } from '../catalog/catalog.entity.js';
import { ClaimEventSchema } from '../claims/event.entity.js';
import { ApiTokenSchema, UserSchema } from '../users/user.entity.js';

/** Every entity the ORM knows; capabilities add theirs here. */
export const entities = [UserSchema, ApiTokenSchema, CategorySchema, WarehouseSchema, ClaimEventSchema];
