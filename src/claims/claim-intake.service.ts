import type { EntityManager } from '@mikro-orm/postgresql';
import { formatMoney } from '../shared/amounts.js';
import { addDays, addYears } from '../shared/dates.js';
import { ConflictError, NotFoundError, ValidationError, type FieldProblem } from '../shared/errors.js';
import { Decimal } from '../shared/decimal.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { BENEFIT_TYPES, offeredBenefits, type BenefitType, type ProductTerms } from './product-terms.js';
import { normalizeIdNumber, validateResidentId } from './resident-id.js';
import { policyYearOf } from './policy-year.js';
import { transition } from './claim-status.js';
import { documentsNotice, knownDocuments, missingDocuments, requiredDocuments } from './claim-documents.js';
import { snapshot, type ClaimChanges, type ClaimRow } from './claims.repository.js';
import { claimReader, guardedChange, optimistically, readClaim, withClaimsDb } from './claims.db.js';
import type { ClaimsContext } from './claims.context.js';
import type { IntakeInput, SurveyInput } from './claims.schemas.js';
import { forkOf } from '../db/request-transaction.js';

export interface DocumentsView {
  required: string[];
  received: { name: string; receivedOn: string }[];
  missing: string[];
  /** The one notice asking for everything still missing; null when the file is complete. */
  notice: string | null;
  completeOn: string | null;
}

interface CheckedIntake {
  terms: ProductTerms;
  idNumber: string;
  reportedOn: string;
  benefits: BenefitType[];
  documents: string[];
}

/** POST /claims: everything is checked before anything is written, and a refusal names the field. */
export async function registerClaim(ctx: ClaimsContext, actor: Actor, input: IntakeInput) {
  const checked = checkIntake(ctx, input);
  try {
    return await insertClaim(ctx.em, actor, input, checked);
  } catch (error) {
    // Two intakes of one person racing past the duplicate check: the unique index decides, we name the winner.
    if ((error as { constraint?: string }).constraint === 'claims_one_live_per_person') {
      const existing = await liveDuplicate(forkOf(ctx.em), checked.idNumber, input.event, input.product);
      if (existing) throw duplicateError(existing);
    }
    throw error;
  }
}

function checkIntake(ctx: ClaimsContext, input: IntakeInput): CheckedIntake {
  const today = ctx.today();
  const idProblem = validateResidentId(input.claimant.idNumber, today);
  if (idProblem) {
    throw new ValidationError(`claimant.idNumber: ${idProblem}`, [{ field: 'claimant.idNumber', value: input.claimant.idNumber, reason: idProblem }], 'INVALID_ID_NUMBER');
  }
  const reportedOn = input.reportedOn ?? today;
  const problems: FieldProblem[] = [];
  if (input.incidentOn > today) problems.push({ field: 'incidentOn', value: input.incidentOn, reason: `is after today (${today})` });
  if (reportedOn > today) problems.push({ field: 'reportedOn', value: reportedOn, reason: `a report date cannot be in the future (today is ${today})` });
  if (reportedOn < input.incidentOn) problems.push({ field: 'reportedOn', value: reportedOn, reason: `is before the incident on ${input.incidentOn}` });
  if (problems.length > 0) throw new ValidationError(problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems, 'INVALID_REPORT_DATE');

  const terms = ctx.policies.versionFor(input.product, input.incidentOn);
  const lastDay = addYears(input.incidentOn, terms.reportDeadlineYears);
  if (reportedOn > lastDay) {
    const reason = `reported ${reportedOn}, more than ${terms.reportDeadlineYears} years after the incident on ${input.incidentOn} (the last day was ${lastDay})`;
    throw new ValidationError(`reportedOn: ${reason}`, [{ field: 'reportedOn', value: reportedOn, reason }], 'REPORT_TOO_LATE');
  }
  const offered = offeredBenefits(terms);
  const benefits = input.benefits ? BENEFIT_TYPES.filter((type) => input.benefits!.includes(type)) : [...offered];
  input.benefits?.forEach((type, index) => {
    if (!offered.has(type)) problems.push({ field: `benefits.${index}`, value: type, reason: `${terms.productCode} v${terms.version} does not pay ${type}` });
  });
  const documents = [...new Set(input.documents ?? [])];
  problems.push(...unknownDocuments(terms, input.documents ?? [], 'documents'));
  if (problems.length > 0) throw new ValidationError(problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  return { terms, idNumber: normalizeIdNumber(input.claimant.idNumber), reportedOn, benefits, documents };
}

function unknownDocuments(terms: ProductTerms, names: readonly string[], field: string): FieldProblem[] {
  const known = knownDocuments(terms);
  return names.flatMap((name, index) =>
    known.has(name) ? [] : [{ field: `${field}.${index}`, value: name, reason: `not a document ${terms.productCode} asks for (expected one of: ${[...known].join(', ')})` }],
  );
}

// One statement: the event's facts, a live claim of the same person, and — only when the event fits and
// there is none — the claim, its documents and the first entry of its history.
const REGISTER_SQL = `WITH ev AS (SELECT id, type, occurred_on FROM claim_events WHERE id = $1::bigint),
  dup AS (SELECT id, number, status FROM claims WHERE id_number = $2 AND event_id = $1::bigint AND product = $3 AND status NOT IN ('REJECTED', 'WITHDRAWN') LIMIT 1),
  c AS (INSERT INTO claims (product, product_version, policy_year, event_id, status, claimant_name, id_number, phone,
          has_medical_insurance, bank_account_name, bank_account_number, bank_name, incident_on, reported_on, description,
          benefits, documents_complete_on, decision_due_on, advance_max, created_by)
        SELECT $3, $4, $5, ev.id, 'REPORTED', $6, $2, $7, $8, $9, $10, $11, $12::date, $13, $14, $15::text[], $16::date, $17::date, $18, $19
          FROM ev WHERE ev.type = ANY($20::text[]) AND ev.occurred_on <= $12::date AND NOT EXISTS (SELECT FROM dup)
        RETURNING *),
  d AS (INSERT INTO claim_documents (claim_id, name, received_on, recorded_by)
        SELECT c.id, name, $13, $19 FROM c, unnest($21::text[]) AS name ON CONFLICT DO NOTHING),
  h AS (INSERT INTO claim_history (claim_id, actor_id, actor_name, action, details, before, after)
        SELECT c.id, $19, $22, 'register', $23::jsonb, NULL, $24::jsonb FROM c)
  SELECT ev.type AS event_type, to_char(ev.occurred_on, 'YYYY-MM-DD') AS event_occurred_on,
         dup.id::text AS dup_id, dup.number AS dup_number, dup.status AS dup_status, c.id::text AS claim_id, c.number AS claim_number
    FROM (SELECT) one LEFT JOIN ev ON true LEFT JOIN dup ON true LEFT JOIN c ON true`;

async function insertClaim(em: EntityManager, actor: Actor, input: IntakeInput, checked: CheckedIntake) {
  const { terms } = checked;
  const missing = missingDocuments(requiredDocuments(terms, checked.benefits), checked.documents);
  const completeOn = missing.length === 0 ? checked.reportedOn : null;
  const decisionDueOn = completeOn && addDays(completeOn, terms.statutoryClocks.decisionDays);
  const advanceMax = terms.advance ? formatMoney(terms.advance.max) : '0.00';
  const zero = formatMoney(new Decimal(0));
  const after = snapshot({
    status: 'REPORTED', productVersion: terms.version, pendingTotal: null, approvedTotal: new Decimal(zero), advanceApproved: new Decimal(zero), advancePaid: new Decimal(zero),
    paidTotal: new Decimal(zero), recoveryOwed: new Decimal(zero), benefits: checked.benefits, decisionDueOn, paymentDueOn: null, holdReasons: [], firstApprovedBy: null,
  } as unknown as ClaimRow);
  const { claimant } = input;
  const [row] = await withClaimsDb(em, (db) => db.query<Record<string, string | null>>(REGISTER_SQL, [
    input.event, checked.idNumber, terms.productCode, terms.version, policyYearOf(input.incidentOn), claimant.name, claimant.phone,
    claimant.hasMedicalInsurance, claimant.bank.accountName, claimant.bank.accountNumber, claimant.bank.bankName, input.incidentOn,
    checked.reportedOn, input.description, checked.benefits, completeOn, decisionDueOn, advanceMax, actor.id,
    terms.coveredEventTypes, checked.documents, actor.name, JSON.stringify({ documents: checked.documents }), JSON.stringify(after),
  ]));
  const found = row!;
  if (found.event_type === null) throw new ValidationError(`event: no event ${input.event}`, [{ field: 'event', value: input.event, reason: 'no such event; record it with POST /events first' }]);
  // An event may last days (a typhoon, a flood), so later incidents belong to it; earlier ones cannot.
  if (input.incidentOn < found.event_occurred_on!) {
    const reason = `is before the event it belongs to, which occurred on ${found.event_occurred_on}`;
    throw new ValidationError(`incidentOn: ${reason}`, [{ field: 'incidentOn', value: input.incidentOn, reason }], 'INCIDENT_BEFORE_EVENT');
  }
  if (!terms.coveredEventTypes.includes(found.event_type!)) {
    const reason = `${terms.productCode} v${terms.version} does not cover ${found.event_type} events (it covers ${terms.coveredEventTypes.join(', ')})`;
    throw new ValidationError(`event: ${reason}`, [{ field: 'event', value: input.event, reason }], 'EVENT_TYPE_NOT_COVERED');
  }
  if (found.dup_id !== null) throw duplicateError({ id: found.dup_id, number: found.dup_number!, status: found.dup_status! });
  const claim = { number: found.claim_number!, documentsCompleteOn: completeOn, benefits: checked.benefits } as ClaimRow;
  return {
    id: found.claim_id!, number: found.claim_number!, status: 'REPORTED', product: terms.productCode, productVersion: terms.version,
    documents: documentsOf(terms, claim, checked.documents.map((name) => ({ name, receivedOn: checked.reportedOn }))),
  };
}

async function liveDuplicate(em: EntityManager, idNumber: string, eventId: string, product: string) {
  const rows = await em.execute<{ id: string; number: string; status: string }[]>(
    `SELECT id, number, status FROM claims WHERE id_number = ? AND event_id = ? AND product = ? AND status NOT IN ('REJECTED', 'WITHDRAWN')`,
    [idNumber, eventId, product],
  );
  return rows[0] ?? null;
}

function duplicateError(existing: { id: string; number: string; status: string }): ConflictError {
  return new ConflictError(
    'DUPLICATE_CLAIM',
    `this person already has claim ${existing.number} (id ${existing.id}, ${existing.status}) for this event under this product`,
    { claimId: String(existing.id), number: existing.number, status: existing.status },
  );
}

export async function documentsView(em: EntityManager, terms: ProductTerms, claim: ClaimRow): Promise<DocumentsView> {
  const received = await em.execute<{ name: string; received_on: string }[]>('SELECT name, received_on FROM claim_documents WHERE claim_id = ? ORDER BY received_on, name', [claim.id]);
  return documentsOf(terms, claim, received.map((row) => ({ name: row.name, receivedOn: row.received_on })));
}

/** The documents a claim needs, has and lacks, from the documents received (however they were read). */
export function documentsOf(terms: ProductTerms, claim: ClaimRow, received: DocumentsView['received']): DocumentsView {
  const required = requiredDocuments(terms, claim.benefits);
  const missing = missingDocuments(required, received.map((document) => document.name));
  return { required, received, missing, notice: documentsNotice(claim.number, missing), completeOn: claim.documentsCompleteOn };
}

const SURVEY_READ = claimReader(`(SELECT COALESCE(array_agg(d.name), '{}') FROM claim_documents d WHERE d.claim_id = c.id) AS document_names`);

/** POST /claims/:id/survey: the site survey, and the documents handed in; the decision clock starts when they are complete. */
export async function surveyClaim(ctx: ClaimsContext, actor: Actor, key: string, input: SurveyInput) {
  return withClaimsDb(ctx.em, (db) => optimistically(key, async () => {
    const read = await readClaim(db, SURVEY_READ, key);
    if (!read) throw new NotFoundError('claim', key);
    const { claim } = read;
    // A second visit to a surveyed claim records more findings and documents without a status change.
    const status = claim.status === 'SURVEYED' ? 'SURVEYED' : transition(claim.status, 'survey');
    const today = ctx.today();
    const problems: FieldProblem[] = [];
    if (input.surveyedOn > today) problems.push({ field: 'surveyedOn', value: input.surveyedOn, reason: `is after today (${today})` });
    if (input.surveyedOn < claim.incidentOn) problems.push({ field: 'surveyedOn', value: input.surveyedOn, reason: `is before the incident on ${claim.incidentOn}` });
    const terms = ctx.policies.get(claim.product, claim.productVersion);
    problems.push(...unknownDocuments(terms, input.documentsReceived, 'documentsReceived'));
    if (problems.length > 0) throw new ValidationError(problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);

    const surveyor = input.surveyor ?? actor.name;
    const held = [...(read.raw.document_names as string[]), ...input.documentsReceived];
    const complete = missingDocuments(requiredDocuments(terms, claim.benefits), held).length === 0;
    const changes: ClaimChanges = { status };
    if (complete && claim.documentsCompleteOn === null) {
      changes.documentsCompleteOn = input.surveyedOn;
      changes.decisionDueOn = addDays(input.surveyedOn, terms.statutoryClocks.decisionDays);
    }
    const details = { surveyor, surveyedOn: input.surveyedOn, findings: input.findings, documentsReceived: input.documentsReceived };
    let names = '';
    let on = '';
    const { claim: after, raw } = await guardedChange(db, actor, 'survey', read, changes, details, {
      also: (p) => {
        [names, on] = [p.add(input.documentsReceived), p.add(input.surveyedOn)];
        const by = p.add(actor.id);
        return [
          `s AS (INSERT INTO claim_surveys (claim_id, surveyor, surveyed_on, findings, recorded_by) SELECT id, ${p.add(surveyor)}, ${on}::date, ${p.add(input.findings)}, ${by}::bigint FROM c)`,
          `d AS (INSERT INTO claim_documents (claim_id, name, received_on, recorded_by) SELECT c.id, n.name, ${on}::date, ${by}::bigint FROM c, unnest(${names}::text[]) AS n(name) ON CONFLICT DO NOTHING)`,
        ];
      },
      // The documents as they are after this survey, ordered as the database orders them.
      select: () => `(SELECT COALESCE(json_agg(json_build_object('name', x.name, 'receivedOn', x.received_on) ORDER BY x.received_on, x.name), '[]')
          FROM (SELECT d.name, d.received_on FROM claim_documents d WHERE d.claim_id = c.id
                UNION SELECT n.name, ${on}::date FROM unnest(${names}::text[]) AS n(name)
                 WHERE NOT EXISTS (SELECT FROM claim_documents e WHERE e.claim_id = c.id AND e.name = n.name)) x) AS received`,
    });
    const documents = documentsOf(terms, after, raw.received);
    return { id: after.id, number: after.number, status: after.status, decisionDueOn: after.decisionDueOn, documents };
  }));
}
