import { isValidDate, todayInCity } from '../shared/dates.js';
import { regionCodeProblem } from './region-codes.js';

// GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;
const EARLIEST_BIRTH_DATE = '1900-01-01';

/** Staff type IDs with spaces and a lowercase x; the stored form is trimmed, spaceless, uppercase. */
export function normalizeIdNumber(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

/** The check character for the first 17 digits of an ID number. */
export function residentIdCheckCharacter(first17Digits: string): string {
  if (!/^\d{17}$/.test(first17Digits)) throw new Error(`expected 17 digits, got "${first17Digits}"`);
  let total = 0;
  for (let index = 0; index < 17; index += 1) total += Number(first17Digits[index]) * WEIGHTS[index]!;
  return CHECK_CHARACTERS[total % 11]!;
}

/**
 * Checks an 18-character PRC resident ID number (spaces and a lowercase x are forgiven): its region
 * (GB/T 2260 province, see region-codes.ts), birth date and check character.
 * Returns null when it is valid, otherwise the reason, worded for the person at the service window.
 */
export function validateResidentId(rawIdNumber: string, today: string = todayInCity()): string | null {
  const idNumber = normalizeIdNumber(rawIdNumber);
  if (idNumber.length !== 18) return `an ID number has 18 characters, this one has ${idNumber.length}`;
  if (!SHAPE.test(idNumber)) return 'an ID number is 17 digits followed by a digit or X';
  const regionProblem = regionCodeProblem(idNumber.slice(0, 6));
  if (regionProblem) return regionProblem;
  const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  if (!isValidDate(birthDate)) return `the birth date ${idNumber.slice(6, 14)} in the ID number is not a real date`;
  if (birthDate < EARLIEST_BIRTH_DATE) return `the birth date ${birthDate} in the ID number is before 1900`;
  if (birthDate > today) return `the birth date ${birthDate} in the ID number is in the future`;
  const expected = residentIdCheckCharacter(idNumber.slice(0, 17));
  if (idNumber[17] !== expected) {
    return `the check character is ${idNumber[17]} but the first 17 digits give ${expected}: a digit is mistyped`;
  }
  return null;
}

export function isValidResidentId(idNumber: string, today?: string): boolean {
  return validateResidentId(idNumber, today) === null;
}

/** Lists show the region and the last four: enough to tell people apart, hiding the birth date. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 10) return '*'.repeat(idNumber.length);
  return idNumber.slice(0, 6) + '*'.repeat(idNumber.length - 10) + idNumber.slice(-4);
}

/** Bank accounts show the last four only: enough to confirm which account, as payment notices do. */
export function maskAccountNumber(accountNumber: string): string {
  const digits = accountNumber.replace(/\s+/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return '*'.repeat(digits.length - 4) + digits.slice(-4);
}
