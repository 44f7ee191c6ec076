/**
 * Operation generators of the supply ledger: receipts, transfers, receipts of transfers, cancellations,
 * write-offs, stocktakes (open → count → post) and reversals, each drawn at random against the world.
 * Allowed statuses are what a correct service may answer to a well-formed request under concurrency:
 * 409 where stock or state may have moved on since the operation chose its input.
 */
import { Decimal } from '../src/shared/decimal.js';
import type { LoadContext, Operation } from './load.js';
import type { Rng } from './random.js';
import type { Actor, Category, World } from './world.js';

function quantity(rng: Rng, category: Category, max = 20): string {
  if (category.scale === 0) return String(rng.int(1, max));
  return new Decimal(rng.int(1, max * 10 ** category.scale)).div(10 ** category.scale).toFixed(category.scale);
}

/** Distinct categories, 1..n of them. */
function someCategories(rng: Rng, world: World, n: number): Category[] {
  const pool = [...world.categories];
  const out: Category[] = [];
  for (let i = rng.int(1, n); i > 0 && pool.length; i--) out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]!);
  return out;
}

const canAct = (actor: Actor, warehouse: string) => actor.warehouses === 'all' || actor.warehouses.includes(warehouse);
/** An actor allowed to post for every warehouse named (keepers only for their own). */
function actorFor(rng: Rng, world: World, warehouses: string[]): Actor {
  return rng.pick(world.actors.filter((a) => (a.role === 'admin' || a.role === 'keeper') && warehouses.every((w) => canAct(a, w))));
}
function postingActor(rng: Rng, world: World): { actor: Actor; warehouse: string } {
  const actor = rng.pick(world.actors.filter((a) => a.role === 'admin' || a.role === 'keeper'));
  return { actor, warehouse: rng.pick(actor.warehouses === 'all' ? world.warehouses : actor.warehouses) };
}

const lineSpec = (rng: Rng, world: World, category: Category, withExpiry: boolean) => {
  if (!category.lotTracked) return { category: category.code, quantity: quantity(rng, category) };
  const lot = rng.pick(world.lots);
  return { category: category.code, quantity: quantity(rng, category), lot: lot.lot, ...(withExpiry ? { expiresOn: lot.expiresOn } : {}) };
};

function remember(ctx: LoadContext, body: any, warehouses: string[]): void {
  if (body && typeof body.id === 'string') ctx.world.documents.push({ id: body.id, type: body.type, warehouses });
}

export const receiptOperation: Operation = {
  name: 'receipt', weight: 4,
  async run(ctx) {
    const { rng, world } = ctx;
    const { actor, warehouse } = postingActor(rng, world);
    const marker = ctx.marker();
    const donation = rng.chance(0.3);
    const body = {
      warehouse,
      source: donation ? { kind: 'DONATION', name: '某慈善基金会', reference: marker } : { kind: 'PROCUREMENT', name: '某应急物资公司', reference: marker },
      lines: someCategories(rng, world, 3).map((c) => ({ ...lineSpec(rng, world, c, true), ...(rng.chance(0.5) ? { unitCost: `${rng.int(1, 999)}.50` } : {}) })),
    };
    const reply = await ctx.post('receipt', actor, '/receipts', body, [201], marker);
    if (reply?.status === 201) remember(ctx, reply.body, [warehouse]);
  },
};

export const writeOffOperation: Operation = {
  name: 'write-off', weight: 2,
  async run(ctx) {
    const { rng, world } = ctx;
    const { actor, warehouse } = postingActor(rng, world);
    const marker = ctx.marker();
    const lines = someCategories(rng, world, 2).map((c) => {
      const line = lineSpec(rng, world, c, false);
      if (c.lotTracked && rng.chance(0.5)) delete (line as { lot?: string }).lot; // first-expiring-first-out
      return { ...line, quantity: quantity(rng, c, 5) };
    });
    const body = { warehouse, reason: rng.pick(['DAMAGE', 'EXPIRY', 'SHORTFALL', 'OTHER']), note: marker, lines };
    const reply = await ctx.post('write-off', actor, '/write-offs', body, [201, 409], marker);
    if (reply?.status === 201) remember(ctx, reply.body, [warehouse]);
  },
};

export const transferOperation: Operation = {
  name: 'transfer', weight: 3,
  async run(ctx) {
    const { rng, world } = ctx;
    const { actor, warehouse: from } = postingActor(rng, world);
    const to = rng.pick(world.warehouses.filter((w) => w !== from));
    const marker = ctx.marker();
    const lines = someCategories(rng, world, 2).map((c) => ({ category: c.code, quantity: quantity(rng, c, 8) }));
    const reply = await ctx.post('transfer', actor, '/transfers', { from, to, note: marker, lines }, [201, 409], marker);
    if (reply?.status === 201) {
      const shipped = (reply.body.lines as { category: string; lot: string | null; quantity: string; to: string }[]).filter((l) => l.to.startsWith('TRANSIT'));
      world.transfers.push({ id: reply.body.id, from, to, lines: shipped.map((l) => ({ category: l.category, lot: l.lot, quantity: l.quantity })) });
    }
  },
};

/** Shipped lines merged by (category, lot), as the receiving side counts them. */
function shippedByLot(lines: { category: string; lot: string | null; quantity: string }[]) {
  const merged = new Map<string, { category: string; lot: string | null; quantity: Decimal }>();
  for (const l of lines) {
    const key = `${l.category}\u0000${l.lot ?? ''}`;
    const found = merged.get(key);
    if (found) found.quantity = found.quantity.plus(l.quantity);
    else merged.set(key, { category: l.category, lot: l.lot, quantity: new Decimal(l.quantity) });
  }
  return [...merged.values()];
}

export const receiveTransferOperation: Operation = {
  name: 'receive-transfer', weight: 2,
  async run(ctx) {
    const { rng, world } = ctx;
    if (world.transfers.length === 0) return;
    const transfer = rng.pick(world.transfers);
    const actor = actorFor(rng, world, [transfer.to]);
    const lines = shippedByLot(transfer.lines).map((l) => {
      const scale = world.categories.find((c) => c.code === l.category)!.scale;
      const unit = new Decimal(1).div(10 ** scale);
      const short = rng.chance(0.3) ? Decimal.min(l.quantity, unit.times(rng.int(0, 2))) : new Decimal(0);
      const damaged = rng.chance(0.2) ? Decimal.min(l.quantity.minus(short), unit) : new Decimal(0);
      return {
        category: l.category, ...(l.lot ? { lot: l.lot } : {}),
        received: l.quantity.minus(short).minus(damaged).toFixed(scale),
        ...(damaged.gt(0) ? { damaged: damaged.toFixed(scale) } : {}),
      };
    });
    const reply = await ctx.post('receive-transfer', actor, `/transfers/${transfer.id}/receive`, { lines }, [201, 409]);
    if (reply && (reply.status === 201 || reply.status === 409)) world.transfers = world.transfers.filter((t) => t !== transfer);
    if (reply?.status === 201) remember(ctx, reply.body, [transfer.to]);
  },
};

export const cancelTransferOperation: Operation = {
  name: 'cancel-transfer', weight: 1,
  async run(ctx) {
    const { rng, world } = ctx;
    if (world.transfers.length === 0) return;
    const transfer = rng.pick(world.transfers);
    const actor = actorFor(rng, world, [transfer.from]);
    const reply = await ctx.post('cancel-transfer', actor, `/transfers/${transfer.id}/cancel`, { note: ctx.marker() }, [201, 409]);
    if (reply && (reply.status === 201 || reply.status === 409)) world.transfers = world.transfers.filter((t) => t !== transfer);
    if (reply?.status === 201) remember(ctx, reply.body, [transfer.from]);
  },
};

export const stocktakeOperation: Operation = {
  name: 'stocktake', weight: 1,
  async run(ctx) {
    const { rng, world } = ctx;
    const { actor, warehouse } = postingActor(rng, world);
    const opened = await ctx.post('stocktake-open', actor, '/stocktakes', { warehouse }, [201]);
    if (opened?.status !== 201) return;
    const view = await ctx.target.request('GET', `/stocktakes/${opened.body.id}`, { token: actor.token });
    if (view.status !== 200) throw new Error(`GET /stocktakes/${opened.body.id} → ${view.status} ${JSON.stringify(view.body)}`);
    const book = view.body.lines as { category: string; lot: string | null; book: string }[];
    const ours = book.filter((l) => world.categories.some((c) => c.code === l.category));
    const lines = ours.filter(() => rng.chance(0.7)).map((l) => {
      const scale = world.categories.find((c) => c.code === l.category)!.scale;
      const delta = new Decimal(rng.int(-2, 2)).div(10 ** scale);
      return { category: l.category, ...(l.lot ? { lot: l.lot } : {}), counted: Decimal.max(0, new Decimal(l.book).plus(delta)).toFixed(scale) };
    });
    if (lines.length === 0) {
      const plain = rng.pick(world.categories.filter((c) => !c.lotTracked));
      lines.push({ category: plain.code, counted: quantity(rng, plain, 3) });
    }
    const counted = await ctx.post('stocktake-count', actor, `/stocktakes/${opened.body.id}/counts`, { lines }, [201]);
    if (counted?.status !== 201) return;
    const posted = await ctx.post('stocktake-post', actor, `/stocktakes/${opened.body.id}/post`, {}, [201, 409]);
    if (posted?.status === 201) remember(ctx, posted.body, [warehouse]);
  },
};

export const reversalOperation: Operation = {
  name: 'reversal', weight: 1,
  async run(ctx) {
    const { rng, world } = ctx;
    if (world.documents.length === 0) return;
    const document = rng.pick(world.documents);
    const actor = actorFor(rng, world, document.warehouses);
    const reply = await ctx.post('reversal', actor, `/documents/${document.id}/reverse`, { reason: `冲销 ${ctx.marker()}` }, [201, 409]);
    if (reply?.status === 201) remember(ctx, reply.body, document.warehouses);
  },
};

const DESTINATIONS = [{ name: '防疫卡点-东', district: '市南区' }, { name: '安置点-西', lat: '36.300000', lon: '120.100000' }, { name: '外省某县' }];
const planner = (rng: Rng, world: World) => rng.pick(world.actors.filter((a) => a.role === 'admin' || a.role === 'dispatcher'));
const heldIn = (body: any): string[] => [...new Set<string>((body?.lines ?? []).flatMap((l: any) => l.picks.filter((p: any) => p.open !== '0' && Number(p.open) > 0).map((p: any) => p.warehouse)))];

/** An order of one or two categories, matched and reserved across the warehouses; 409 when nothing (or, all-or-nothing, not all) is there. */
export const allocateOperation: Operation = {
  name: 'allocate', weight: 2,
  async run(ctx) {
    const { rng, world } = ctx;
    const lines = someCategories(rng, world, 2).map((c) => ({ category: c.code, quantity: quantity(rng, c, 15) }));
    const body = { destination: rng.pick(DESTINATIONS), lines, allOrNothing: rng.chance(0.5), note: ctx.marker() };
    const reply = await ctx.post('allocate', planner(rng, world), '/allocations', body, [201, 409]);
    if (reply?.status === 201) world.allocations.push({ id: reply.body.id, warehouses: heldIn(reply.body) });
  },
};

/** A keeper (or an admin) ships what an order holds in their warehouses: ALLOCATION documents, reservation released. */
export const dispatchAllocationOperation: Operation = {
  name: 'dispatch-allocation', weight: 2,
  async run(ctx) {
    const { rng, world } = ctx;
    if (world.allocations.length === 0) return;
    const allocation = rng.pick(world.allocations);
    const candidates = world.actors.filter((a) => a.role === 'admin' || (a.role === 'keeper' && allocation.warehouses.some((w) => canAct(a, w))));
    const reply = await ctx.post('dispatch-allocation', rng.pick(candidates), `/allocations/${allocation.id}/dispatch`, {}, [201, 409]);
    if (reply?.status === 201) {
      allocation.warehouses = heldIn(reply.body);
      for (const document of reply.body.documents ?? []) remember(ctx, { id: document.documentId, type: 'ALLOCATION' }, [document.warehouse]);
    }
    if (reply?.status === 201 && reply.body.status === 'DISPATCHED') world.allocations = world.allocations.filter((a) => a !== allocation);
  },
};

export const cancelAllocationOperation: Operation = {
  name: 'cancel-allocation', weight: 1,
  async run(ctx) {
    const { rng, world } = ctx;
    if (world.allocations.length === 0) return;
    const allocation = rng.pick(world.allocations);
    const reply = await ctx.post('cancel-allocation', planner(rng, world), `/allocations/${allocation.id}/cancel`, { reason: ctx.marker() }, [201, 409]);
    if (reply && (reply.status === 201 || reply.status === 409)) world.allocations = world.allocations.filter((a) => a !== allocation);
  },
};

/** Backdates an order's reservation past its time, as if the hours had passed, and has the service release it. */
export const expireAllocationOperation: Operation = {
  name: 'expire-allocation', weight: 1,
  async run(ctx) {
    const { rng, world } = ctx;
    if (world.allocations.length === 0) return;
    const allocation = rng.pick(world.allocations);
    // Inlined, not a parameter: the two targets' SQL clients number placeholders differently. Ids are digits.
    if (!/^\d+$/.test(allocation.id)) throw new Error(`allocation id ${allocation.id} is not a number`);
    await ctx.target.sql(`UPDATE allocations SET expires_at = now() - interval '1 second' WHERE id = ${allocation.id}`);
    const admin = world.actors.find((a) => a.role === 'admin')!;
    const reply = await ctx.post('expire-allocation', admin, '/allocations/expire-due', {}, [200]);
    if (reply?.status === 200) world.allocations = world.allocations.filter((a) => a !== allocation);
  },
};

/** Allocations: orders, dispatches, cancels and expiries, drawn alongside the stock documents they compete with. */
export const ALLOCATION_OPERATIONS: readonly Operation[] = [allocateOperation, dispatchAllocationOperation, cancelAllocationOperation, expireAllocationOperation];

/** The supply ledger's operations, allocations included; payouts append theirs. */
export const STOCK_OPERATIONS: readonly Operation[] = [
  receiptOperation, writeOffOperation, transferOperation, receiveTransferOperation, cancelTransferOperation, stocktakeOperation, reversalOperation, ...ALLOCATION_OPERATIONS,
];
