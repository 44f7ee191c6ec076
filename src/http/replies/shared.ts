/**
 * Building blocks of the reply schemas (what each route's handler returns, as the client sees the JSON).
 * Decimals are strings with a pattern, dates `format: date`, timestamps `format: date-time`.
 * A schema given a name with `named()` becomes one component in /openapi.json that every route using it refers to.
 */
import { z } from 'zod';

/** Named schemas: each is one entry of components.schemas in /openapi.json. */
export const namedSchemas = z.registry<{ id: string; description?: string }>();

export function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  namedSchemas.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}

/** Money in yuan with exactly two decimals (fen). */
export const money = z.string().regex(/^(0|[1-9]\d*)\.\d{2}$/).meta({ description: 'yuan, two decimals', examples: ['45200.00'] });
/** Money that may be negative (a reversal, a difference). */
export const signedMoney = z.string().regex(/^-?(0|[1-9]\d*)\.\d{2}$/).meta({ description: 'yuan, two decimals; negative for a reversal or difference', examples: ['-1200.00'] });
/** A quantity in the category's unit, up to three decimals. */
export const quantity = z.string().regex(/^(0|[1-9]\d*)(\.\d{1,3})?$/).meta({ description: 'quantity in the category unit, up to 3 decimals', examples: ['12.500'] });
/** A quantity that may be negative (an outflow, a stocktake difference). */
export const signedQuantity = z.string().regex(/^-?(0|[1-9]\d*)(\.\d{1,3})?$/).meta({ description: 'quantity, negative for an outflow or a shortage', examples: ['-3'] });
/** Any canonical decimal (ratios, coordinates). */
export const decimal = z.string().regex(/^-?(0|[1-9]\d*)(\.\d+)?$/).meta({ examples: ['0.85'] });

/** A calendar day YYYY-MM-DD (business dates, in the city's time zone). */
export const date = z.iso.date().meta({ examples: ['2026-07-31'] });
/** A moment, ISO 8601 in UTC. */
export const dateTime = z.iso.datetime({ offset: true }).meta({ examples: ['2026-07-31T08:15:30.000Z'] });
/** A month YYYY-MM (accounting periods). */
export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).meta({ examples: ['2026-07'] });

/** Database ids are bigint, sent as strings. */
export const id = z.string().regex(/^\d+$/).meta({ examples: ['42'] });
export const code = z.string().meta({ examples: ['WH-HP-01'] });
export const count = z.int().min(0);

export const Role = z.enum(['admin', 'keeper', 'dispatcher', 'assessor', 'approver', 'finance']);

/** Every list: `{items, total}` (total = all matches, items = the page asked for). */
export const page = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), total: count });

/** The one error shape of every error status. */
export const ErrorReply = named(
  'Error',
  z.strictObject({
    error: z.strictObject({
      code: z.string().meta({ examples: ['VALIDATION_FAILED'] }),
      message: z.string(),
      details: z.array(z.unknown()).meta({ description: 'always an array, empty when there is nothing to add; for 422 each names the field and reason' }),
    }),
  }),
  'Every error reply, of every status',
);
