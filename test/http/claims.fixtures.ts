// Shared by the claims HTTP tests: people, events, valid resident IDs, and the intake → survey → assessment walk.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { requiredDocuments, residentIdCheckCharacter } from '../../src/claims/index.js';
import { addDays, todayInCity } from '../../src/shared/dates.js';
import type { BenefitType } from '../../src/claims/index.js';
import { loadConfig } from '../../src/config.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** Tests run on any day: the incidents happened a few weeks ago, well inside the 2-year deadline. */
export const TODAY = todayInCity();
export const INCIDENT_ON = addDays(TODAY, -20);

/** A valid 18-character resident ID: Qingdao Shinan (370202), a birth date, a sequence, and its check character. */
export function residentId(sequence: number, birth = '19800101'): string {
  const first17 = `370202${birth}${String(sequence % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
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
