import type { EntityManager } from '@mikro-orm/postgresql';
import { formatMoney } from '../shared/amounts.js';
import { addDays, addYears } from '../shared/dates.js';
import { ConflictError, ValidationError, type FieldProblem } from '../shared/errors.js';
import type { Actor } from '../shared/actor.js';
import { inTransaction } from '../db/transaction.js';
import { BENEFIT_TYPES, offeredBenefits, type BenefitType, type ProductTerms } from './product-terms.js';
import { normalizeIdNumber, validateResidentId } from './resident-id.js';
import { policyYearOf } from './policy-year.js';
import { transition } from './claim-status.js';
import { documentsNotice, knownDocuments, missingDocuments, requiredDocuments } from './claim-documents.js';
import { CLAIM_COLUMNS, lockClaim, recordHistory, toClaimRow, changeClaim, type ClaimChanges, type ClaimRow } from './claims.repository.js';
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
    return await inTransaction(ctx.em, (tx) => insertClaim(tx, actor, input, checked));
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

async function insertClaim(tx: EntityManager, actor: Actor, input: IntakeInput, checked: CheckedIntake) {
  const { terms } = checked;
  const [event] = await tx.execute<{ id: string; type: string; occurred_on: string }[]>("SELECT id, type, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on FROM claim_events WHERE id = ?", [input.event]);
  if (!event) throw new ValidationError(`event: no event ${input.event}`, [{ field: 'event', value: input.event, reason: 'no such event; record it with POST /events first' }]);
  // An event may last days (a typhoon, a flood), so later incidents belong to it; earlier ones cannot.
  if (input.incidentOn < event.occurred_on) {
    const reason = `is before the event it belongs to, which occurred on ${event.occurred_on}`;
    throw new ValidationError(`incidentOn: ${reason}`, [{ field: 'incidentOn', value: input.incidentOn, reason }], 'INCIDENT_BEFORE_EVENT');
  }
  if (!terms.coveredEventTypes.includes(event.type)) {
    const reason = `${terms.productCode} v${terms.version} does not cover ${event.type} events (it covers ${terms.coveredEventTypes.join(', ')})`;
    throw new ValidationError(`event: ${reason}`, [{ field: 'event', value: input.event, reason }], 'EVENT_TYPE_NOT_COVERED');
  }
  const existing = await liveDuplicate(tx, checked.idNumber, input.event, input.product);
  if (existing) throw duplicateError(existing);

  const missing = missingDocuments(requiredDocuments(terms, checked.benefits), checked.documents);
  const completeOn = missing.length === 0 ? checked.reportedOn : null;
  const { claimant } = input;
  const [raw] = await tx.execute(
    `INSERT INTO claims AS c (product, product_version, policy_year, event_id, status, claimant_name, id_number, phone,
        has_medical_insurance, bank_account_name, bank_account_number, bank_name, incident_on, reported_on, description,
        benefits, documents_complete_on, decision_due_on, advance_max, created_by)
     VALUES (?, ?, ?, ?, 'REPORTED', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ARRAY(SELECT jsonb_array_elements_text(?::jsonb)), ?, ?, ?, ?)
     RETURNING ${CLAIM_COLUMNS}`,
    [
      terms.productCode, terms.version, policyYearOf(input.incidentOn), input.event, claimant.name, checked.idNumber, claimant.phone,
      claimant.hasMedicalInsurance, claimant.bank.accountName, claimant.bank.accountNumber, claimant.bank.bankName, input.incidentOn,
      checked.reportedOn, input.description, JSON.stringify(checked.benefits), completeOn,
      completeOn && addDays(completeOn, terms.statutoryClocks.decisionDays), terms.advance ? formatMoney(terms.advance.max) : '0.00', actor.id,
    ],
  );
  const claim = toClaimRow(raw);
  await addDocuments(tx, actor, claim.id, checked.documents, checked.reportedOn);
  await recordHistory(tx, actor, 'register', null, claim, { documents: checked.documents });
  return { id: claim.id, number: claim.number, status: claim.status, product: claim.product, productVersion: claim.productVersion, documents: documentsOf(terms, claim, checked.documents.map((name) => ({ name, receivedOn: checked.reportedOn }))) };
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

async function addDocuments(tx: EntityManager, actor: Actor, claimId: string, names: readonly string[], receivedOn: string): Promise<void> {
  if (names.length === 0) return;
  await tx.execute(
    `INSERT INTO claim_documents (claim_id, name, received_on, recorded_by)
     SELECT ?, name, ?, ? FROM jsonb_array_elements_text(?::jsonb) AS name ON CONFLICT DO NOTHING`,
    [claimId, receivedOn, actor.id, JSON.stringify(names)],
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

/** POST /claims/:id/survey: the site survey, and the documents handed in; the decision clock starts when they are complete. */
export async function surveyClaim(ctx: ClaimsContext, actor: Actor, key: string, input: SurveyInput) {
  return inTransaction(ctx.em, async (tx) => {
    const claim = await lockClaim(tx, key);
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
    await tx.execute('INSERT INTO claim_surveys (claim_id, surveyor, surveyed_on, findings, recorded_by) VALUES (?, ?, ?, ?, ?)', [claim.id, surveyor, input.surveyedOn, input.findings, actor.id]);
    await addDocuments(tx, actor, claim.id, input.documentsReceived, input.surveyedOn);
    const documents = await documentsView(tx, terms, claim);
    const changes: ClaimChanges = { status };
    if (documents.missing.length === 0 && claim.documentsCompleteOn === null) {
      changes.documentsCompleteOn = input.surveyedOn;
      changes.decisionDueOn = addDays(input.surveyedOn, terms.statutoryClocks.decisionDays);
    }
    const after = await changeClaim(tx, actor, 'survey', claim, changes, { surveyor, surveyedOn: input.surveyedOn, findings: input.findings, documentsReceived: input.documentsReceived });
    return { id: after.id, number: after.number, status: after.status, decisionDueOn: after.decisionDueOn, documents: { ...documents, completeOn: after.documentsCompleteOn } };
  });
}
