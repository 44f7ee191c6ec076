/** Replies of kits, allocation orders and pick lists. */
import { z } from 'zod';
import { ALLOCATION_STATUSES } from '../../allocation/index.js';
import { code, count, date, dateTime, decimal, id, named, page, quantity } from './shared.js';

const AllocationStatus = z.enum(ALLOCATION_STATUSES);
const number = z.string().meta({ examples: ['DB00000012'] });
const destination = z.strictObject({ name: z.string().meta({ examples: ['黄岛区安置点'] }), district: z.string().nullable(), lat: decimal.nullable(), lon: decimal.nullable() });
/** A kit line keeps the precision it was written with (no trailing zeros). */
const kitQuantity = z.string().regex(/^(0|[1-9]\d*)(\.\d+)?$/).meta({ description: 'quantity per `per` people', examples: ['2.5'] });

export const Kit = named('Kit', z.strictObject({ code, name: z.string(), version: z.int(), per: z.int().meta({ description: 'the number of people the quantities are for' }), lines: z.array(z.strictObject({ category: code, quantity: kitQuantity })) }));
export const KitPage = page(Kit);
export const SavedKit = Kit.extend({ created: z.boolean().meta({ description: 'false when the same content was already the latest version' }) });

export const Allocation = named(
  'Allocation',
  z.strictObject({
    id,
    number,
    status: AllocationStatus,
    destination,
    priority: z.int(),
    allOrNothing: z.boolean(),
    kit: z.strictObject({ code, version: z.int(), people: z.int() }).nullable(),
    emergencyOverride: z.strictObject({ reason: z.string(), approvedBy: z.string().nullable(), approvedAt: dateTime.nullable() }).nullable(),
    note: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: dateTime,
    expiresAt: dateTime,
    closedAt: dateTime.nullable(),
    closeReason: z.string().nullable(),
    deliveredAt: dateTime.nullable(),
    lines: z.array(
      z.strictObject({
        category: code,
        requested: quantity,
        reserved: quantity,
        shortfall: quantity,
        dispatched: quantity,
        received: quantity.nullable(),
        differenceReason: z.string().nullable(),
        picks: z.array(z.strictObject({ warehouse: code, lot: z.string().nullable(), expiresOn: date.nullable(), quantity, open: quantity, dispatched: quantity, protected: quantity })),
      }),
    ),
    dispatches: z.array(z.strictObject({ documentId: id, warehouse: code, by: z.string().nullable(), at: dateTime, reversedBy: id.nullable().meta({ description: 'the reversing document, once the dispatch is reversed' }) })),
    history: z.array(
      z.strictObject({
        action: z.string().meta({ examples: ['DISPATCH_REVERSED'] }),
        statusBefore: AllocationStatus,
        statusAfter: AllocationStatus,
        by: z.string().nullable(),
        at: dateTime,
        details: z.record(z.string(), z.unknown()),
      }),
    ),
  }),
  'An allocation order (调拨单) with its lines, picks and dispatches',
);
const km = decimal.nullable().meta({ description: 'great-circle distance from the destination in km; null without the destination\'s coordinates', examples: ['12.4'] });
export const AllocationPreview = named(
  'AllocationPreview',
  z.strictObject({
    dryRun: z.literal(true),
    outcome: z.enum(['RESERVED', 'AWAITING_OVERRIDE', 'INSUFFICIENT_STOCK']).meta({ description: 'what POST /allocations with this body would do now; INSUFFICIENT_STOCK is its 409' }),
    reservesNow: z.boolean().meta({ description: 'false when nothing would be reserved yet (refused, or all-or-nothing awaiting an override)' }),
    covered: z.boolean(),
    destination,
    priority: z.int(),
    allOrNothing: z.boolean(),
    kit: z.strictObject({ code, version: z.int(), people: z.int() }).nullable(),
    lines: z.array(
      z.strictObject({
        category: code,
        name: z.string(),
        requested: quantity,
        reserved: quantity.meta({ description: 'what would be reserved' }),
        shortfall: quantity,
        picks: z.array(z.strictObject({ warehouse: code, warehouseName: z.string(), lot: z.string().nullable(), expiresOn: date.nullable(), quantity, protected: quantity, distanceKm: km })),
      }),
    ),
    warehouses: z.array(z.strictObject({ code, name: z.string(), district: z.string().nullable(), distanceKm: km })).meta({ description: 'the warehouses the plan takes from, nearest first' }),
  }),
  'The plan of an allocation order (dryRun=true): the same matching as the order, nothing written',
);
export const Dispatched = named('DispatchedAllocation', Allocation.extend({ documents: z.array(z.strictObject({ warehouse: code, documentId: id })) }));

export const AllocationPage = page(
  z.strictObject({ id, number, status: AllocationStatus, destination: z.string(), district: z.string().nullable(), priority: z.int(), lines: count, createdAt: dateTime, expiresAt: dateTime }),
);
export const AllocationSummary = page(z.strictObject({ destination: z.string(), category: code, quantity }));
export const Expired = z.strictObject({ expired: count });

export const PickList = z.strictObject({
  allocation: z.strictObject({ id, number, status: AllocationStatus, destination, priority: z.int(), createdAt: dateTime }),
  warehouses: z.array(
    z.strictObject({
      warehouse: code,
      name: z.string(),
      lines: z.array(z.strictObject({ category: code, name: z.string(), spec: z.string().nullable(), unit: z.string(), lot: z.string().nullable(), expiresOn: date.nullable(), quantity, dispatched: quantity })),
    }),
  ),
});
