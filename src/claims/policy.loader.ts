import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import { NotFoundError, ValidationError, type FieldProblem } from '../shared/errors.js';
import { isValidDate } from '../shared/dates.js';
import { PRODUCT_CODES, type ProductTerms } from './product-terms.js';
import { eventTypeCatalogSchema, policyFileSchema, type EventType } from './policy.schema.js';

export const EVENT_TYPES_FILE = 'event-types.json';
const POLICY_FILE_PATTERN = /^(\d{4}-\d{2}-\d{2})\.v(\d+)\.json$/;
const IGNORED_FILES = new Set(['README.md']);

/** Every product version and the event-type catalogue, validated once at start-up. */
export class PolicyCatalog {
  private readonly byProduct = new Map<string, ProductTerms[]>();
  private readonly eventTypesByCode: ReadonlyMap<string, EventType>;

  constructor(terms: readonly ProductTerms[], eventTypes: readonly EventType[]) {
    for (const version of terms) {
      const versions = this.byProduct.get(version.productCode) ?? [];
      versions.push(version);
      this.byProduct.set(version.productCode, versions);
    }
    for (const versions of this.byProduct.values()) versions.sort((a, b) => a.version - b.version);
    this.eventTypesByCode = new Map(eventTypes.map((type) => [type.code, type]));
  }

  /** The version in force on the incident date: claims are judged by the terms of their incident day. */
  versionFor(productCode: string, incidentOn: string): ProductTerms {
    if (!isValidDate(incidentOn)) {
      throw new ValidationError(`incident date ${incidentOn} is not a date like 2020-07-31`, [
        { field: 'incidentOn', value: incidentOn, reason: 'expected YYYY-MM-DD' },
      ]);
    }
    const found = this.versionsOf(productCode).find(
      (terms) => terms.validFrom <= incidentOn && (terms.validTo === null || incidentOn <= terms.validTo),
    );
    if (!found) {
      throw new ValidationError(
        `product ${productCode} was not in force on ${incidentOn}`,
        [{ field: 'incidentOn', value: incidentOn, reason: `no version of ${productCode} covers this date` }],
        'NO_POLICY_IN_FORCE',
      );
    }
    return found;
  }

  get(productCode: string, version: number): ProductTerms {
    const found = this.versionsOf(productCode).find((terms) => terms.version === version);
    if (!found) throw new NotFoundError('product version', `${productCode} v${version}`);
    return found;
  }

  list(): readonly ProductTerms[] {
    return PRODUCT_CODES.flatMap((code) => this.byProduct.get(code) ?? []);
  }

  eventTypes(): readonly EventType[] {
    return [...this.eventTypesByCode.values()];
  }

  eventType(code: string): EventType {
    const found = this.eventTypesByCode.get(code);
    if (!found) throw new NotFoundError('event type', code);
    return found;
  }

  private versionsOf(productCode: string): readonly ProductTerms[] {
    const versions = this.byProduct.get(productCode);
    if (!versions) throw new NotFoundError('product', productCode);
    return versions;
  }
}

/**
 * Reads policies/event-types.json and policies/<PRODUCT>/<validFrom>.v<version>.json.
 * Any problem stops the load: paying claims under a half-read contract is worse than not starting.
 */
export function loadPolicies(dir: string): PolicyCatalog {
  const eventTypes = loadEventTypes(join(dir, EVENT_TYPES_FILE));
  const knownEventTypes = new Set(eventTypes.map((type) => type.code));
  const terms: ProductTerms[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const entryPath = join(dir, entry.name);
    if (entry.isDirectory() && !(PRODUCT_CODES as readonly string[]).includes(entry.name)) {
      throw fileError(entryPath, [{ reason: `unknown product folder: expected one of ${PRODUCT_CODES.join(', ')}` }]);
    }
    if (entry.isDirectory()) {
      for (const file of readdirSync(entryPath).sort()) terms.push(loadPolicyFile(join(entryPath, file), knownEventTypes));
    } else if (entry.name !== EVENT_TYPES_FILE && !IGNORED_FILES.has(entry.name)) {
      throw fileError(entryPath, [{ reason: 'unexpected file: policies live in <PRODUCT>/<validFrom>.v<version>.json' }]);
    }
  }
  checkProductsPresent(dir, terms);
  checkNoOverlap(dir, terms);
  return new PolicyCatalog(terms, eventTypes);
}

function loadEventTypes(file: string): EventType[] {
  const parsed = parseFile(file, eventTypeCatalogSchema);
  const seen = new Set<string>();
  parsed.eventTypes.forEach((type, index) => {
    if (seen.has(type.code)) throw fileError(file, [{ field: `eventTypes.${index}.code`, reason: `${type.code} is listed twice` }]);
    seen.add(type.code);
  });
  return deepFreeze(parsed.eventTypes);
}

function loadPolicyFile(file: string, knownEventTypes: ReadonlySet<string>): ProductTerms {
  const name = basename(file);
  const nameMatch = POLICY_FILE_PATTERN.exec(name);
  if (!statSync(file).isFile() || !nameMatch) {
    throw fileError(file, [{ reason: 'unexpected entry: a product folder holds only <validFrom>.v<version>.json files' }]);
  }
  const terms: ProductTerms = parseFile(file, policyFileSchema);
  const problems: FieldProblem[] = [];
  const folder = basename(join(file, '..'));
  if (terms.productCode !== folder) {
    problems.push({ field: 'productCode', value: terms.productCode, reason: `the file lies in folder ${folder}` });
  }
  if (terms.validFrom !== nameMatch[1]) {
    problems.push({ field: 'validFrom', value: terms.validFrom, reason: `the file name says ${nameMatch[1]}` });
  }
  if (String(terms.version) !== String(Number(nameMatch[2]))) {
    problems.push({ field: 'version', value: terms.version, reason: `the file name says v${nameMatch[2]}` });
  }
  terms.coveredEventTypes.forEach((code, index) => {
    if (!knownEventTypes.has(code)) {
      problems.push({ field: `coveredEventTypes.${index}`, value: code, reason: `${code} is not in ${EVENT_TYPES_FILE}` });
    }
  });
  if (problems.length > 0) throw fileError(file, problems);
  return deepFreeze(terms);
}

function parseFile<Schema extends z.ZodType>(file: string, schema: Schema): z.output<Schema> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw fileError(file, [{ reason: `cannot read it as JSON (${(error as Error).message})` }]);
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  throw fileError(
    file,
    result.error.issues.map((issue) => {
      // An unknown key is reported at its parent; name the key itself so the reader finds it.
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
      const reason = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
      return { field: path.map(String).join('.'), reason };
    }),
  );
}

function checkProductsPresent(dir: string, terms: readonly ProductTerms[]): void {
  const present = new Set(terms.map((version) => version.productCode));
  const missing = PRODUCT_CODES.filter((code) => !present.has(code));
  if (missing.length > 0) {
    throw fileError(dir, missing.map((code) => ({ field: code, reason: `no policy file for product ${code}` })));
  }
}

/** Two versions in force on one day would make versionFor ambiguous, so that is a load error. */
function checkNoOverlap(dir: string, terms: readonly ProductTerms[]): void {
  for (const code of PRODUCT_CODES) {
    const versions = terms.filter((t) => t.productCode === code).sort((a, b) => a.validFrom.localeCompare(b.validFrom));
    const problems: FieldProblem[] = [];
    const numbers = new Set<number>();
    versions.forEach((current, index) => {
      if (numbers.has(current.version)) problems.push({ field: `${code}.version`, reason: `version ${current.version} appears twice` });
      numbers.add(current.version);
      const previous = versions[index - 1];
      if (previous && (previous.validTo === null || previous.validTo >= current.validFrom)) {
        problems.push({
          field: `${code}.validFrom`,
          reason: `v${current.version} from ${current.validFrom} overlaps v${previous.version} (${previous.validFrom} to ${previous.validTo ?? 'open'})`,
        });
      }
    });
    if (problems.length > 0) throw fileError(join(dir, code), problems);
  }
}

function fileError(file: string, problems: FieldProblem[]): ValidationError {
  const lines = problems.map((p) => [file, p.field, p.reason].filter((part) => part !== undefined).join(': '));
  return new ValidationError(lines.join('\n'), problems, 'POLICY_FILE_INVALID');
}

function deepFreeze<T>(value: T): T {
  if (Array.isArray(value) || (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)) {
    for (const child of Object.values(value as object)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
