// Proves the GB 11643 resident ID check: computed check digits, the X check character, bad dates and the masks.
import { describe, it, expect } from 'vitest';
import {
  isValidResidentId,
  maskAccountNumber,
  maskIdNumber,
  residentIdCheckCharacter,
  validateResidentId,
} from './core.js';

const TODAY = '2024-06-01';
const withCheck = (first17: string) => first17 + residentIdCheckCharacter(first17);

describe('validateResidentId', () => {
  it('accepts the GB 11643 examples and IDs with computed check characters', () => {
    expect(validateResidentId('11010519491231002X', TODAY)).toBeNull();
    for (const first17 of ['37020219851215123', '32010620000229002', '31011520041010453']) {
      expect(validateResidentId(withCheck(first17), TODAY)).toBeNull();
    }
  });

  it('accepts an X check character typed in lower case or with spaces', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(isValidResidentId('110105 19491231 002x', TODAY)).toBe(true);
  });

  it('refuses a wrong check character and says a digit is mistyped', () => {
    expect(validateResidentId('110105194912310021', TODAY)).toMatch(/check character is 1 but .* give X/);
    expect(validateResidentId('370202198512151236', TODAY)).toMatch(/mistyped/);
  });

  it('refuses an impossible or future birth date even with a correct check character', () => {
    expect(validateResidentId(withCheck('37020219850230123'), TODAY)).toMatch(/19850230 .* not a real date/);
    expect(validateResidentId(withCheck('32010620010229002'), TODAY)).toMatch(/not a real date/);
    expect(validateResidentId(withCheck('37020220300101123'), TODAY)).toMatch(/in the future/);
  });

  it('refuses births before 1900 even when the check character is right (the GB example of 1880)', () => {
    expect(residentIdCheckCharacter('44052418800101001')).toBe('4');
    expect(validateResidentId('440524188001010014', TODAY)).toMatch(/before 1900/);
  });

  it('refuses the wrong length and letters in the digits', () => {
    expect(validateResidentId('37020219851215123', TODAY)).toMatch(/18 characters/);
    expect(validateResidentId('3702021985121512A7', TODAY)).toMatch(/17 digits/);
    expect(validateResidentId('X70202198512151237', TODAY)).toMatch(/17 digits/);
  });
});

describe('masks for lists', () => {
  it('hides the birth date of an ID number', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });

  it('shows only the bank prefix and the last four of an account', () => {
    expect(maskAccountNumber('6222 0212 3456 7890 123')).toBe('***************0123');
    expect(maskAccountNumber('12345678')).toBe('****5678');
    expect(maskAccountNumber('123')).toBe('***');
  });
});
