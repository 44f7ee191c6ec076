// Proves the shipped policies load and that a broken or overlapping policy file stops the load with its file and field named.
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../../../src/shared/decimal.js';
import { NotFoundError, ValidationError } from '../../../src/shared/errors.js';
import { PRODUCT_CODES, loadPolicies } from './core.js';
import { POLICIES_DIR, shippedCatalog } from './claims.fixtures.js';

describe('the shipped policies', () => {
  it('load, one version of each of the six products, with amounts as Decimal', () => {
    const catalog = shippedCatalog();
    expect(catalog.list().map((terms) => terms.productCode)).toEqual([...PRODUCT_CODES]);
    const stampede = catalog.get('STAMPEDE', 1);
    expect(stampede.nameZh).toBe('踩踏救助');
    expect(stampede.medical?.limit).toBeInstanceOf(Decimal);
    expect(stampede.medical?.ratioUninsured.toString()).toBe('0.8');
    expect(stampede.requiredDocuments.DEATH).toEqual(['死亡证明', '户籍注销证明', '受益人关系证明']);
    expect(Object.isFrozen(stampede)).toBe(true);
    expect(catalog.eventType('STAMPEDE').labelZh).toBe('公共场所拥挤踩踏');
  });

  it('match the figures of the terms sheet', () => {
    const catalog = shippedCatalog();
    const limits = catalog.list().map((t) => [t.productCode, t.deathDisabilityLimit?.toFixed(2), t.medical?.limit.toFixed(2), t.perEventLimit?.toFixed(2) ?? null]);
    expect(limits).toEqual([
      ['PUBLIC_LIABILITY', '100000.00', '20000.00', '20000000.00'],
      ['EMERGENCY_RESPONSE', '100000.00', '20000.00', '2000000.00'],
      ['BRAVE_DEED', '300000.00', '50000.00', null],
      ['VOLUNTEER', '200000.00', '20000.00', null],
      ['CRIMINAL_INJURY', '100000.00', '20000.00', '5000000.00'],
      ['STAMPEDE', '100000.00', '20000.00', '10000000.00'],
    ]);
  });

  it('pick the version in force on the incident date and refuse dates before the first', () => {
    const catalog = shippedCatalog();
    expect(catalog.versionFor('BRAVE_DEED', '2020-07-31').version).toBe(1);
    expect(() => catalog.versionFor('BRAVE_DEED', '2020-07-30')).toThrow(/not in force on 2020-07-30/);
    expect(() => catalog.versionFor('NO_SUCH', '2021-01-01')).toThrow(NotFoundError);
    expect(() => catalog.get('STAMPEDE', 9)).toThrow(NotFoundError);
  });
});

describe('a broken policy folder', () => {
  let dir: string;
  const stampedeFile = () => join(dir, 'STAMPEDE', '2020-07-31.v1.json');
  const edit = (file: string, change: (json: Record<string, any>) => void) => {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    change(json);
    writeFileSync(file, JSON.stringify(json, null, 2));
  };
  const loadError = (): ValidationError => {
    try {
      loadPolicies(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return error as ValidationError;
    }
    throw new Error('expected the load to fail');
  };

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'policies-')), 'policies');
    cpSync(POLICIES_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('names the file and the field of a malformed amount', () => {
    edit(stampedeFile(), (json) => (json.medical.limit = 20000));
    expect(loadError().message).toBe(`${stampedeFile()}: medical.limit: expected a money amount like "20000.00"`);
  });

  it('names missing fields, unknown fields and out-of-range ratios', () => {
    edit(stampedeFile(), (json) => {
      delete json.annualAggregate;
      json.medical.ratioUninsured = '1.2';
      json.perEventLimt = '1.00';
    });
    const message = loadError().message;
    expect(message).toContain(`${stampedeFile()}: annualAggregate: expected a money amount`);
    expect(message).toContain(`${stampedeFile()}: medical.ratioUninsured: expected a ratio`);
    expect(message).toContain(`${stampedeFile()}: perEventLimt: unknown field`);
  });

  it('refuses an event type missing from the catalogue and documents for an item the product does not pay', () => {
    edit(stampedeFile(), (json) => {
      json.coveredEventTypes = ['STAMPEDE', 'METEOR'];
      json.requiredDocuments.RESETTLEMENT = ['转移安置证明'];
    });
    expect(loadError().message).toContain('requiredDocuments.RESETTLEMENT: the product does not pay RESETTLEMENT');
    edit(stampedeFile(), (json) => delete json.requiredDocuments.RESETTLEMENT);
    expect(loadError().message).toContain(`${stampedeFile()}: coveredEventTypes.1: METEOR is not in event-types.json`);
  });

  it('refuses a file whose content disagrees with its folder or name', () => {
    edit(stampedeFile(), (json) => (json.validFrom = '2020-08-01'));
    expect(loadError().message).toContain(`${stampedeFile()}: validFrom: the file name says 2020-07-31`);
  });

  it('refuses a file that is not JSON', () => {
    writeFileSync(stampedeFile(), '{ "productCode": ');
    expect(loadError().message).toMatch(new RegExp(`^${stampedeFile()}: cannot read it as JSON`));
  });

  it('refuses overlapping versions of one product, and accepts them once the first is closed', () => {
    const v2 = join(dir, 'STAMPEDE', '2022-07-31.v2.json');
    cpSync(stampedeFile(), v2);
    edit(v2, (json) => {
      json.version = 2;
      json.validFrom = '2022-07-31';
      json.funeralGrant = '25000.00';
    });
    expect(loadError().message).toContain('STAMPEDE.validFrom: v2 from 2022-07-31 overlaps v1 (2020-07-31 to open)');
    edit(stampedeFile(), (json) => (json.validTo = '2022-07-30'));
    const catalog = loadPolicies(dir);
    expect(catalog.versionFor('STAMPEDE', '2022-07-30').funeralGrant?.toFixed(2)).toBe('20000.00');
    expect(catalog.versionFor('STAMPEDE', '2022-07-31').funeralGrant?.toFixed(2)).toBe('25000.00');
  });

  it('refuses a folder without one of the six products', () => {
    rmSync(join(dir, 'VOLUNTEER'), { recursive: true });
    expect(loadError().message).toContain('VOLUNTEER: no policy file for product VOLUNTEER');
  });

  it('refuses a stray file or an unknown folder beside the product folders', () => {
    writeFileSync(join(dir, 'notes.json'), '{}');
    expect(loadError().message).toContain('notes.json: unexpected file');
    rmSync(join(dir, 'notes.json'));
    cpSync(join(dir, 'STAMPEDE'), join(dir, 'STAMPEED'), { recursive: true });
    expect(loadError().message).toContain('STAMPEED: unknown product folder');
  });
});
