/**
 * From a request to the demands the matching core plans: the kit scaled to the people (rounded up to
 * each category's scale) plus the explicit lines, merged per category, every problem named at once.
 */
import { Decimal } from '../shared/decimal.js';
import type { FieldProblem } from '../shared/errors.js';
import { type CategoryRule, nodeKeyProblem, throwIfProblems, validateQuantity } from '../stock/index.js';
import type { SqlRunner } from './allocation.types.js';
import { type Demand, type Kit, mergeDemands, scaleKit } from './core/kits.js';
import { latestKit } from './kits.service.js';
import type { AllocationBody } from './allocation.schemas.js';

export interface ResolvedOrder {
  demands: Demand[];
  kit: Kit | null;
}

async function categoryRules(db: SqlRunner, codes: readonly string[]): Promise<Map<string, CategoryRule>> {
  const rows = await db.execute<{ code: string; scale: number; lot_tracked: boolean }[]>(
    'SELECT code, scale, lot_tracked FROM categories WHERE code IN (SELECT jsonb_array_elements_text(?::jsonb))',
    [JSON.stringify([...new Set(codes)])],
  );
  return new Map(rows.map((row) => [row.code, { code: row.code, scale: row.scale, lotTracked: row.lot_tracked }]));
}

export async function resolveOrder(db: SqlRunner, body: AllocationBody): Promise<ResolvedOrder> {
  const problems: FieldProblem[] = [];
  const destinationProblem = nodeKeyProblem(body.destination.name);
  if (destinationProblem) problems.push({ field: 'destination.name', value: body.destination.name, reason: destinationProblem });
  const kit = body.kit ? await latestKit(db, body.kit.code) : null;
  if (body.kit && !kit) problems.push({ field: 'kit.code', value: body.kit.code, reason: 'unknown kit' });
  const lines = body.lines ?? [];
  const rules = await categoryRules(db, [...lines.map((l) => l.category), ...(kit?.lines.map((l) => l.category) ?? [])]);
  lines.forEach((line, index) => {
    const rule = rules.get(line.category);
    if (!rule) problems.push({ field: `lines[${index}].category`, value: line.category, reason: 'unknown supply category' });
    else problems.push(...validateQuantity(rule, line.quantity, `lines[${index}].quantity`));
  });
  throwIfProblems('allocation', problems);
  const fromKit = kit && body.kit ? scaleKit(kit, body.kit.people, (code) => rules.get(code)!.scale) : [];
  const demands = mergeDemands([...fromKit, ...lines.map((l) => ({ category: l.category, quantity: l.quantity }))]);
  return { demands: demands.filter((d) => d.quantity.gt(new Decimal(0))), kit };
}
