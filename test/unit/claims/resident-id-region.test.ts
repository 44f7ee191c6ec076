// Proves that a resident ID must begin with a GB/T 2260 province that issues IDs (or a Hong Kong, Macao or Taiwan residence permit code), checked before the birth date and check character.
import { describe, expect, it } from 'vitest';
import { PROVINCE_CODES, RESIDENCE_PERMIT_REGIONS, regionCodeProblem, residentIdCheckCharacter, validateResidentId } from '../../../src/claims/index.js';

const TODAY = '2024-06-01';
const withCheck = (first17: string) => first17 + residentIdCheckCharacter(first17);
const idIn = (region: string) => withCheck(`${region}19800101001`);

describe('region of a resident ID', () => {
  it('accepts every province-level division that issues IDs, 11 北京 to 65 新疆', () => {
    expect([...PROVINCE_CODES.keys()]).toEqual([
      '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
      '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
    ]);
    for (const province of PROVINCE_CODES.keys()) expect(validateResidentId(idIn(`${province}0102`), TODAY)).toBeNull();
    expect(validateResidentId('11010519491231002X', TODAY)).toBeNull();
  });

  it('accepts the residence permits of Hong Kong, Macao and Taiwan residents, with their full region code', () => {
    for (const region of RESIDENCE_PERMIT_REGIONS.keys()) expect(validateResidentId(idIn(region), TODAY)).toBeNull();
    expect(validateResidentId(idIn('810101'), TODAY)).toBe('the region code 810101 in the ID number is not one of the residence permit codes 810000, 820000, 830000');
  });

  it('refuses regions that do not exist, even with a correct check character, naming the region', () => {
    for (const region of ['000000', '990000', '720000', '100000', '160000', '470000', '660000', '900000']) {
      expect(validateResidentId(idIn(region), TODAY)).toBe(`the region code ${region} in the ID number names no province of GB/T 2260 (it begins ${region.slice(0, 2)})`);
    }
  });

  it('refuses 71 台湾: a GB/T 2260 code under which no ID is issued', () => {
    expect(validateResidentId(idIn('710000'), TODAY)).toMatch(/^the region code 710000 in the ID number is Taiwan's GB\/T 2260 code, under which no ID is issued/);
  });

  it('checks the region after the shape and before the birth date', () => {
    expect(validateResidentId('99020219851215123', TODAY)).toMatch(/18 characters/);
    expect(validateResidentId(withCheck('99020219850230123'), TODAY)).toMatch(/region code 990202/);
    expect(regionCodeProblem('370202')).toBeNull();
  });
});
