import type { EntityManager } from '@mikro-orm/postgresql';
import { Decimal } from '../shared/decimal.js';
import { formatMoney } from '../shared/amounts.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { requireRole, type Actor } from '../shared/actor.js';
import { todayInCity } from '../shared/dates.js';
import { inTransaction } from '../db/transaction.js';
import { ClaimEvent } from './event.entity.js';
import type { PolicyCatalog } from './policy.loader.js';
import { offeredBenefits, type ProductTerms } from './product-terms.js';
import type { EventInput, EventListQuery } from './claims.schemas.js';
import { forkOf } from '../db/request-transaction.js';

export const CLAIM_READERS: Actor['role'][] = ['admin', 'assessor', 'approver', 'finance'];

export interface EventView {
  id: string;
  type: string;
  typeLabel: string;
  name: string;
  occurredOn: string;
  district: string;
  createdAt: string;
}

export interface EventTotalsView {
  product: string;
  version: number;
  perEventLimit: string | null;
  approved: string;
  held: string;
  awaitingApproval: string;
  remaining: string | null;
  claims: number;
}

/** GET /products: every version of the six products, with the numbers a person checks a payout against. */
export function productView(terms: ProductTerms, policies: PolicyCatalog) {
  const m = (value: Decimal | null | undefined) => (value == null ? null : formatMoney(value));
  return {
    code: terms.productCode,
    name: terms.nameZh,
    version: terms.version,
    validFrom: terms.validFrom,
    validTo: terms.validTo,
    eventTypes: terms.coveredEventTypes.map((code) => ({ code, label: policies.eventType(code).labelZh })),
    benefits: [...offeredBenefits(terms)],
    deathDisabilityLimit: m(terms.deathDisabilityLimit),
    medical: terms.medical && {
      limit: m(terms.medical.limit), deductible: m(terms.medical.deductible),
      ratioInsured: terms.medical.ratioInsured.toString(), ratioUninsured: terms.medical.ratioUninsured.toString(), mode: terms.medical.mode,
    },
    funeralGrant: m(terms.funeralGrant),
    resettlement: terms.resettlement && { ratePerDay: m(terms.resettlement.ratePerDay), cap: m(terms.resettlement.cap) },
    livingAid: terms.livingAid && { ratePerDay: m(terms.livingAid.ratePerDay), cap: m(terms.livingAid.cap) },
    advance: terms.advance && { max: m(terms.advance.max) },
    perEventLimit: m(terms.perEventLimit),
    annualAggregate: m(terms.annualAggregate),
    twoApprovalsAbove: m(terms.twoApprovalsAbove),
    reportDeadlineYears: terms.reportDeadlineYears,
    statutoryClocks: terms.statutoryClocks,
    requiredDocuments: terms.requiredDocuments,
    annualPremium: m(terms.annualPremium),
  };
}

function duplicateEvent(same: ClaimEvent): ConflictError {
  return new ConflictError('DUPLICATE_EVENT', `event ${same.id} "${same.name}" was already recorded`, { eventId: same.id });
}

export class EventsService {
  constructor(
    private readonly em: EntityManager,
    private readonly policies: PolicyCatalog,
    private readonly today: () => string = () => todayInCity(),
  ) {}

  listProducts() {
    return { items: this.policies.list().map((terms) => productView(terms, this.policies)) };
  }

  async create(actor: Actor, input: EventInput): Promise<EventView> {
    requireRole(actor, 'admin', 'assessor');
    if (!this.policies.eventTypes().some((type) => type.code === input.type)) {
      const known = this.policies.eventTypes().map((type) => type.code).join(', ');
      throw new ValidationError(`unknown event type ${input.type}`, [{ field: 'type', value: input.type, reason: `expected one of ${known}` }]);
    }
    if (input.occurredOn > this.today()) {
      throw new ValidationError('an event cannot occur in the future', [{ field: 'occurredOn', value: input.occurredOn, reason: `after today (${this.today()})` }]);
    }
    const sameEvent = (em: EntityManager) => em.findOne(ClaimEvent, { type: input.type, occurredOn: input.occurredOn, district: input.district, name: input.name });
    try {
      return await inTransaction(this.em, async (tx) => {
        const same = await sameEvent(tx);
        if (same) throw duplicateEvent(same);
        const event = tx.create(ClaimEvent, { ...input, createdBy: actor.id, createdAt: new Date() });
        await tx.flush();
        return this.view(event);
      });
    } catch (error) {
      // Two recordings of one event racing past the check: the unique key decides, the loser names the winner.
      if ((error as { code?: string }).code === '23505') {
        const same = await sameEvent(forkOf(this.em));
        if (same) throw duplicateEvent(same);
      }
      throw error;
    }
  }

  async list(actor: Actor, query: EventListQuery): Promise<{ items: EventView[]; total: number }> {
    requireRole(actor, ...CLAIM_READERS);
    const where: Record<string, unknown> = {};
    if (query.type) where.type = query.type;
    if (query.district) where.district = query.district;
    if (query.from || query.to) where.occurredOn = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lte: query.to } : {}) };
    const [rows, total] = await forkOf(this.em).findAndCount(ClaimEvent, where, { orderBy: { occurredOn: 'desc', id: 'desc' }, limit: query.limit, offset: query.offset });
    return { items: rows.map((row) => this.view(row)), total };
  }

  /** One event with what has been approved, held and is waiting under each product that covers it. */
  async get(actor: Actor, id: string): Promise<EventView & { totals: EventTotalsView[] }> {
    requireRole(actor, ...CLAIM_READERS);
    const em = forkOf(this.em);
    const event = await findEvent(em, id);
    const rows = await em.execute<{ product: string; approved: string | null; held: string; waiting: string; claims: string }[]>(
      `SELECT p.product, t.approved,
              COALESCE(sum(c.pending_total) FILTER (WHERE c.status = 'HELD'), 0)::numeric(38,2) AS held,
              COALESCE(sum(c.pending_total) FILTER (WHERE c.status IN ('ASSESSED', 'PENDING_SECOND_APPROVAL')), 0)::numeric(38,2) AS waiting,
              count(c.id) AS claims
         FROM (SELECT DISTINCT product FROM claims WHERE event_id = ? UNION SELECT product FROM claim_event_totals WHERE event_id = ?) p
         LEFT JOIN claim_event_totals t ON t.event_id = ? AND t.product = p.product
         LEFT JOIN claims c ON c.event_id = ? AND c.product = p.product
        GROUP BY p.product, t.approved ORDER BY p.product`,
      [event.id, event.id, event.id, event.id],
    );
    const byProduct = new Map(rows.map((row) => [row.product, row]));
    const covering = this.policies.list().filter((terms) => terms.validFrom <= event.occurredOn && (terms.validTo === null || event.occurredOn <= terms.validTo) && terms.coveredEventTypes.includes(event.type));
    const products = [...new Set([...covering.map((terms) => terms.productCode), ...byProduct.keys()])];
    const totals = products.map((product) => {
      const terms = covering.find((t) => t.productCode === product) ?? this.policies.list().filter((t) => t.productCode === product).at(-1)!;
      const row = byProduct.get(product);
      const approved = new Decimal(row?.approved ?? 0);
      return {
        product,
        version: terms.version,
        perEventLimit: terms.perEventLimit === null ? null : formatMoney(terms.perEventLimit),
        approved: formatMoney(approved),
        held: formatMoney(new Decimal(row?.held ?? 0)),
        awaitingApproval: formatMoney(new Decimal(row?.waiting ?? 0)),
        remaining: terms.perEventLimit === null ? null : formatMoney(Decimal.max(0, terms.perEventLimit.minus(approved))),
        claims: Number(row?.claims ?? 0),
      };
    });
    return { ...this.view(event), totals };
  }

  private view(event: ClaimEvent): EventView {
    const type = this.policies.eventTypes().find((candidate) => candidate.code === event.type);
    return {
      id: event.id,
      type: event.type,
      typeLabel: type?.labelZh ?? event.type,
      name: event.name,
      occurredOn: event.occurredOn,
      district: event.district,
      createdAt: event.createdAt.toISOString(),
    };
  }
}

export async function findEvent(em: EntityManager, id: string): Promise<ClaimEvent> {
  const event = /^\d{1,18}$/.test(id) ? await em.findOne(ClaimEvent, { id }) : null;
  if (!event) throw new NotFoundError('event', id);
  return event;
}
