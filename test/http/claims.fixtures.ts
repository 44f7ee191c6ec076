// Shared by the claims HTTP tests: people, events, valid resident IDs, and the intake → survey → assessment walk.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { requiredDocuments } from '../../src/claims/index.js';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import type { BenefitType } from '../../src/claims/index.js';
import { loadConfig } from '../../src/config.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** Tests run on any day: the incidents happened a few weeks ago, well inside the 2-year deadline. */
export const TODAY = todayInCity();
export const INCIDENT_ON = addDays(TODAY, -20);

/**
 * Known-valid 18-character resident IDs (Qingdao Shinan 370202, born 1980-01-01, sequences 001..203), by
 * sequence. The check characters were worked out once outside this code base (GB 11643: weights
 * 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 indexes "10X98765432"); e.g. sequence 1:
 * 3·7+7·9+2·5+2·4+1·2+9·1+8·6+1·9+1·5+1·2 = 177, 177 mod 11 = 1 → "0". The standard's own example
 * 11010519491231002X follows. Never computed by the function under test.
 */
const VALID_RESIDENT_IDS: Readonly<Record<number, string>> = {
  1: '370202198001010010', 2: '370202198001010029', 3: '370202198001010037', 4: '370202198001010045',
  5: '370202198001010053', 6: '370202198001010061', 7: '37020219800101007X', 8: '370202198001010088',
  9: '370202198001010096', 10: '370202198001010109', 11: '370202198001010117', 12: '370202198001010125',
  13: '370202198001010133', 14: '370202198001010141', 15: '37020219800101015X', 16: '370202198001010168',
  17: '370202198001010176', 18: '370202198001010184', 19: '370202198001010192', 20: '370202198001010205',
  21: '370202198001010213', 22: '370202198001010221', 23: '37020219800101023X', 24: '370202198001010248',
  25: '370202198001010256', 26: '370202198001010264', 27: '370202198001010272', 28: '370202198001010280',
  29: '370202198001010299', 30: '370202198001010301', 40: '370202198001010408', 41: '370202198001010416', 42: '370202198001010424',
  50: '370202198001010504', 51: '370202198001010512',
  60: '370202198001010600', 61: '370202198001010619', 62: '370202198001010627', 63: '370202198001010635',
  64: '370202198001010643', 65: '370202198001010651', 100: '370202198001011005', 101: '370202198001011013',
  102: '370202198001011021', 103: '37020219800101103X', 104: '370202198001011048', 105: '370202198001011056',
  106: '370202198001011064', 107: '370202198001011072', 108: '370202198001011080', 109: '370202198001011099',
  110: '370202198001011101', 111: '37020219800101111X', 112: '370202198001011128', 113: '370202198001011136',
  114: '370202198001011144', 115: '370202198001011152', 116: '370202198001011160', 117: '370202198001011179',
  118: '370202198001011187', 119: '370202198001011195', 201: '370202198001012016', 202: '370202198001012024',
  203: '370202198001012032',
};

/** The example printed in GB 11643-1999 itself: valid, with X as its check character. */
export const STANDARD_EXAMPLE_RESIDENT_ID = '11010519491231002X';

/** Known-invalid resident IDs, each wrong in exactly one way (the rest of it is well formed). */
export const INVALID_RESIDENT_IDS = {
  /** Sequence 1 with check character 1 instead of 0. */
  wrongCheckCharacter: '370202198001010011',
  /** Sequence 1 with its last two digits before the check character swapped (0010 → 0100); 010 would need check 9. */
  transposedDigits: '370202198001010100',
  /** 17 characters: the check character is missing. */
  tooShort: '37020219800101001',
  /** 30 February 1980, with the check character those 17 digits give (X). */
  notADate: '37020219800230001X',
  /** Born 31 December 1899, with its right check character (X). */
  bornBefore1900: '37020218991231001X',
  /** A letter among the digits. */
  letterInside: '3702021980010100A0',
} as const;

/** A known-valid resident ID for one of the sequences listed above; any other sequence is a mistake in the test. */
export function residentId(sequence: number): string {
  const id = VALID_RESIDENT_IDS[sequence];
  if (id === undefined) throw new Error(`no known-valid resident ID literal for sequence ${sequence}: add one to VALID_RESIDENT_IDS`);
  return id;
}

export interface Staff {
  assessor: string;
  assessor2: string;
  approver: string;
  approver2: string;
  approver3: string;
  finance: string;
}

export async function staff(app: TestApp): Promise<Staff> {
  return {
    assessor: await app.user('查勘员甲', 'assessor'),
    assessor2: await app.user('查勘员乙', 'assessor'),
    approver: await app.user('审批人甲', 'approver'),
    approver2: await app.user('审批人乙', 'approver'),
    approver3: await app.user('审批人丙', 'approver'),
    finance: await app.user('财务甲', 'finance'),
  };
}

let eventCounter = 0;
export async function createEvent(app: TestApp, token: string, type: string, occurredOn = INCIDENT_ON, district = '市南区'): Promise<string> {
  eventCounter += 1;
  const reply = await app.request('POST', '/events', { token, body: { type, name: `${type} 事件 ${eventCounter}`, occurredOn, district } });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body.id as string;
}

export interface IntakeOptions {
  product: string;
  event: string;
  idNumber: string;
  insured?: boolean;
  incidentOn?: string;
  reportedOn?: string;
  benefits?: BenefitType[];
  documents?: string[];
}

export function intakeBody(options: IntakeOptions) {
  return {
    product: options.product,
    event: options.event,
    claimant: {
      name: '张三',
      idNumber: options.idNumber,
      phone: '13800000000',
      hasMedicalInsurance: options.insured ?? true,
      bank: { accountName: '张三', accountNumber: '6222020200112233445', bankName: '中国工商银行青岛分行' },
    },
    incidentOn: options.incidentOn ?? INCIDENT_ON,
    ...(options.reportedOn ? { reportedOn: options.reportedOn } : {}),
    description: '事故经过说明',
    ...(options.benefits ? { benefits: options.benefits } : {}),
    ...(options.documents ? { documents: options.documents } : {}),
  };
}

/** Every document the product asks for these benefits, so the decision clock starts at the survey. */
export function allDocuments(app: TestApp, product: string, benefits: BenefitType[], incidentOn = INCIDENT_ON): string[] {
  return requiredDocuments(app.services.policies.versionFor(product, incidentOn), benefits);
}

export interface Walked {
  id: string;
  number: string;
  assessment: any;
}

/** Intake → survey (all documents) → assessment, checking each step succeeds; returns the assessment reply. */
export async function registerAndAssess(app: TestApp, people: Staff, options: IntakeOptions & { items: unknown[]; assessorToken?: string }): Promise<Walked> {
  const benefits = options.benefits ?? ([...new Set(options.items.map((item: any) => item.type))] as BenefitType[]);
  const intake = await app.request('POST', '/claims', { token: people.assessor, body: intakeBody({ ...options, benefits }) });
  expect(intake.status, JSON.stringify(intake.body)).toBe(201);
  const id = intake.body.id as string;
  const survey = await app.request('POST', `/claims/${id}/survey`, {
    token: people.assessor,
    body: { surveyedOn: options.incidentOn ?? INCIDENT_ON, findings: '现场查勘属实', documentsReceived: allDocuments(app, options.product, benefits, options.incidentOn) },
  });
  expect(survey.status, JSON.stringify(survey.body)).toBe(200);
  const assessment = await app.request('POST', `/claims/${id}/assessment`, { token: options.assessorToken ?? people.assessor, body: { items: options.items } });
  expect(assessment.status, JSON.stringify(assessment.body)).toBe(200);
  return { id, number: intake.body.number, assessment: assessment.body };
}

export async function approve(app: TestApp, token: string, id: string, expected = 200) {
  const reply = await app.request('POST', `/claims/${id}/approve`, { token });
  expect(reply.status, JSON.stringify(reply.body)).toBe(expected);
  return reply.body;
}

/** A copy of policies/ with some numbers changed, for tests of limits that the shipped figures make slow to reach. */
export function editedPolicies(edits: Record<string, (terms: any) => void>): string {
  const dir = mkdtempSync(join(inject('runTempDir'), 'policies-'));
  cpSync('policies', dir, { recursive: true });
  for (const [product, edit] of Object.entries(edits)) {
    const file = join(dir, product, '2020-07-31.v1.json');
    const terms = JSON.parse(readFileSync(file, 'utf8'));
    edit(terms);
    writeFileSync(file, JSON.stringify(terms, null, 2));
  }
  return dir;
}

export function appWithPolicies(dir: string): Promise<TestApp> {
  return startTestApp({ paths: { ...loadConfig({}).paths, policies: dir } });
}

/**
 * Runs `work` with the claims service's clock on `day`, as if staff had acted then, so the service itself
 * computes every date (approval, payment due) of a claim decided in the past. Tests in a file run one at
 * a time, so no other request sees the moved clock.
 */
export async function onDay<T>(app: TestApp, day: string, work: () => Promise<T>): Promise<T> {
  const ctx = (app.services.claims as unknown as { ctx: { today: () => string } }).ctx;
  expect(typeof ctx.today, 'ClaimsService keeps its clock in ctx.today').toBe('function');
  const real = ctx.today;
  ctx.today = () => day;
  try {
    return await work();
  } finally {
    ctx.today = real;
  }
}
