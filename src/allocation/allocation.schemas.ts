/**
 * Request shapes of allocations and kits. Quantities arrive as canonical decimal strings and leave as
 * Decimal; coordinates as decimal strings too (a JSON number has already been through a binary float).
 */
import { z } from 'zod';
import { isCanonicalDecimal } from '../shared/amounts.js';
import { isValidDate } from '../shared/dates.js';
import { quantityText } from '../stock/index.js';

/** Lines per order and per kit: a whole catalog (2,089 categories) fits. */
export const MAX_ORDER_LINES = 5000;
export const MAX_PEOPLE = 10_000_000;
export const ALLOCATION_STATUSES = ['AWAITING_OVERRIDE', 'RESERVED', 'PARTIALLY_DISPATCHED', 'DISPATCHED', 'DELIVERED', 'CANCELLED', 'EXPIRED'] as const;
export type AllocationStatus = (typeof ALLOCATION_STATUSES)[number];

const code = z.string().trim().min(1).max(32);
const text = (max: number) => z.string().trim().min(1).max(max);

const coordinate = (limit: number) =>
  z
    .string({ error: `expected a decimal such as "36.066900" between -${limit} and ${limit}` })
    .refine((value) => isCanonicalDecimal(value, { negative: true }) && Math.abs(Number(value)) <= limit && (value.split('.')[1]?.length ?? 0) <= 6, {
      message: `must be a decimal between -${limit} and ${limit} with at most 6 decimals, written as a string`,
    });

export const destinationSchema = z
  .object({ name: text(100), district: text(100).optional(), lat: coordinate(90).optional(), lon: coordinate(180).optional() })
  .strict()
  .refine((d) => (d.lat === undefined) === (d.lon === undefined), { message: 'give both lat and lon, or neither', path: ['lat'] });

const orderLine = z.object({ category: code, quantity: quantityText }).strict();

export const allocationBody = z
  .object({
    destination: destinationSchema,
    lines: z.array(orderLine).min(1).max(MAX_ORDER_LINES).optional(),
    kit: z.object({ code, people: z.number().int().min(1).max(MAX_PEOPLE) }).strict().optional(),
    priority: z.number().int().min(1).max(5).default(3),
    allOrNothing: z.boolean().default(false),
    emergencyOverride: z.object({ reason: text(500) }).strict().optional(),
    note: text(500).optional(),
  })
  .strict()
  .refine((b) => b.lines !== undefined || b.kit !== undefined, { message: 'give lines, a kit, or both', path: ['lines'] });
export type AllocationBody = z.infer<typeof allocationBody>;

export const dispatchBody = z.object({ warehouse: code.optional(), note: text(500).optional() }).strict();
export const cancelBody = z.object({ reason: text(500).optional() }).strict();
export const deliverBody = z
  .object({ lines: z.array(z.object({ category: code, received: quantityText, reason: text(500).optional() }).strict()).min(1).max(MAX_ORDER_LINES) })
  .strict();
export type DeliverBody = z.infer<typeof deliverBody>;

export const kitBody = z
  .object({ code, name: text(200), per: z.number().int().min(1).max(1_000_000), lines: z.array(orderLine).min(1).max(MAX_ORDER_LINES) })
  .strict();
export type KitBody = z.infer<typeof kitBody>;

const date = z.string().refine(isValidDate, 'must be a date written YYYY-MM-DD').meta({ format: 'date' });
const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};
export const kitsQuery = z.object({ q: z.string().trim().max(100).optional(), ...page });
export const allocationsQuery = z.object({ destination: text(100).optional(), status: z.enum(ALLOCATION_STATUSES).optional(), from: date.optional(), to: date.optional(), ...page });
export type AllocationsQuery = z.infer<typeof allocationsQuery>;
export const summaryQuery = z.object({ destination: text(100).optional(), from: date.optional(), to: date.optional() });
export type SummaryQuery = z.infer<typeof summaryQuery>;
export const pickListQuery = z.object({ warehouse: code.optional() });
