// Proves the resident ID rules at their edges: each weight of the MOD 11-2 check, the 1900 and today birth-date bounds, exact refusal texts, and the masks at each length threshold.
import { describe, it, expect } from 'vitest';
import { isValidResidentId, maskAccountNumber, maskIdNumber, normalizeIdNumber, residentIdCheckCharacter, validateResidentId } from './core.js';

const TODAY = '2024-06-01';
const withCheck = (first17: string) => first17 + residentIdCheckCharacter(first17);

describe('residentIdCheckCharacter', () => {
  it('maps the weighted sum mod 11 onto 1 0 X 9 8 7 6 5 4 3 2, weight by weight (worked by hand)', () => {
    expect(residentIdCheckCharacter('00000000000000000')).toBe('1'); // sum 0
    expect(residentIdCheckCharacter('11111111111111111')).toBe('0'); // sum 100 → 1
    expect(residentIdCheckCharacter('22222222222222222')).toBe('X'); // sum 200 → 2
    expect(residentIdCheckCharacter('10000000000000000')).toBe('5'); // weight 7
    expect(residentIdCheckCharacter('01000000000000000')).toBe('3'); // weight 9
    expect(residentIdCheckCharacter('00000000000000010')).toBe('8'); // weight 4
    expect(residentIdCheckCharacter('00000000000000001')).toBe('X'); // weight 2
  });

  it('refuses anything but exactly 17 digits', () => {
    expect(() => residentIdCheckCharacter('1234')).toThrow('expected 17 digits, got "1234"');
    expect(() => residentIdCheckCharacter('1234567890123456X')).toThrow(/expected 17 digits/);
    expect(() => residentIdCheckCharacter('123456789012345678')).toThrow(/expected 17 digits/);
    expect(() => residentIdCheckCharacter('x12345678901234567')).toThrow(/expected 17 digits/);
  });
});

describe('validateResidentId at its bounds', () => {
  it('accepts a birth on 1 January 1900 and refuses 31 December 1899', () => {
    expect(validateResidentId(withCheck('11010519000101001'), TODAY)).toBeNull();
    expect(validateResidentId(withCheck('11010518991231001'), TODAY)).toBe('the birth date 1899-12-31 in the ID number is before 1900');
  });

  it('accepts a birth today and refuses tomorrow', () => {
    expect(validateResidentId(withCheck('11010520240601001'), TODAY)).toBeNull();
    expect(validateResidentId(withCheck('11010520240602001'), TODAY)).toBe('the birth date 2024-06-02 in the ID number is in the future');
  });

  it('answers isValidResidentId from the same rules', () => {
    expect(isValidResidentId('11010519491231002X', TODAY)).toBe(true);
    expect(isValidResidentId('110105194912310021', TODAY)).toBe(false);
    expect(isValidResidentId(withCheck('11010520240602001'), TODAY)).toBe(false);
  });

  it('words each refusal for the service window', () => {
    expect(validateResidentId('1101051949123100', TODAY)).toBe('an ID number has 18 characters, this one has 16');
    expect(validateResidentId('', TODAY)).toBe('an ID number has 18 characters, this one has 0');
    expect(validateResidentId('11010519491231002X1', TODAY)).toBe('an ID number has 18 characters, this one has 19');
    expect(validateResidentId('11010519491231002Y', TODAY)).toBe('an ID number is 17 digits followed by a digit or X');
    expect(validateResidentId('110105194912310021', TODAY)).toBe('the check character is 1 but the first 17 digits give X: a digit is mistyped');
    expect(validateResidentId(withCheck('37020219850230123'), TODAY)).toBe('the birth date 19850230 in the ID number is not a real date');
  });
});

describe('normalizeIdNumber and the masks', () => {
  it('drops every kind of white space and upper-cases', () => {
    expect(normalizeIdNumber(' 1\t2\n3  x ')).toBe('123X');
  });

  it('masks an ID number of 10 characters or fewer entirely, and longer ones between the region and the last four', () => {
    expect(maskIdNumber('1234567890')).toBe('**********');
    expect(maskIdNumber('12345678901')).toBe('123456*8901');
    expect(maskIdNumber('')).toBe('');
  });

  it('shows only the last four digits, and hides accounts of 4 digits or fewer entirely', () => {
    expect(maskAccountNumber('1234')).toBe('****');
    expect(maskAccountNumber('12345')).toBe('*2345');
    expect(maskAccountNumber('12345678901')).toBe('*******8901');
    expect(maskAccountNumber('1234 5678 9012')).toBe('********9012');
  });
});
