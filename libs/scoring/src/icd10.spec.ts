import {
  MAX_ICD10_CODES,
  isIcd10Code,
  normalizeIcd10Code,
  normalizeIcd10Codes,
  validateIcd10Codes,
} from './icd10';

describe('normalizeIcd10Code', () => {
  it.each([
    ['E11.9', 'E11.9'],
    ['e11.9', 'E11.9'],
    ['E119', 'E11.9'],
    ['e119', 'E11.9'],
    ['I21', 'I21'],
    ['i21', 'I21'],
    ['I21.0', 'I21.0'],
    [' I21.0 ', 'I21.0'],
    // Longer national modifications (ICD-10-CM): up to four characters after the category.
    ['S72001A', 'S72.001A'],
    ['s72.001a', 'S72.001A'],
    ['E11.65', 'E11.65'],
    // A letter in third place (ICD-10-CM C7A) and the WHO emergency codes.
    ['c7a.0', 'C7A.0'],
    ['U07.1', 'U07.1'],
  ])('%j → %j', (input, normalized) => {
    expect(normalizeIcd10Code(input)).toBe(normalized);
    expect(isIcd10Code(input)).toBe(true);
  });

  it.each([
    [''],
    ['   '],
    ['E1'],
    ['E'],
    ['11.9'],
    ['1E11'],
    ['EE11'],
    ['EA11'],
    ['E1.19'],
    ['E11.'],
    ['E11..9'],
    ['.E119'],
    ['E11.12345'],
    ['E1112345'],
    ['E11 9'],
    ['E11-9'],
    ['E11,9'],
    ['E11.9;'],
    ['E11.9, I21'],
    // Non-ASCII look-alikes must not be upper-cased into valid codes.
    ['ı21'],
    ['E١١'],
    ['E11.９'],
  ])('%j is malformed', (input) => {
    expect(normalizeIcd10Code(input)).toBeNull();
    expect(isIcd10Code(input)).toBe(false);
  });
});

describe('validateIcd10Codes', () => {
  it('normalises, removes duplicates and sorts', () => {
    expect(validateIcd10Codes(['I22', 'i21.9', 'e119', 'I21', 'E11.9', ' E119 '])).toEqual({
      ok: true,
      codes: ['E11.9', 'I21', 'I21.9', 'I22'],
    });
  });

  it('accepts an empty list', () => {
    expect(validateIcd10Codes([])).toEqual({ ok: true, codes: [] });
  });

  it('names the 0-based position of the first malformed entry', () => {
    expect(validateIcd10Codes(['E11.9', 'I21', 'diabetes', 'also bad'])).toEqual({
      ok: false,
      reason: 'malformed',
      index: 2,
    });
    expect(validateIcd10Codes(['E11.'])).toEqual({ ok: false, reason: 'malformed', index: 0 });
  });

  it('treats a non-string entry as malformed', () => {
    expect(validateIcd10Codes(['E11.9', 119, 'I21'])).toEqual({
      ok: false,
      reason: 'malformed',
      index: 1,
    });
    expect(validateIcd10Codes([null])).toEqual({ ok: false, reason: 'malformed', index: 0 });
  });

  it('accepts 50 codes and refuses 51, duplicates included', () => {
    expect(MAX_ICD10_CODES).toBe(50);
    const fifty = Array.from({ length: 50 }, (_, i) => `C${String(i).padStart(2, '0')}`);
    const check = validateIcd10Codes(fifty);
    expect(check.ok && check.codes.length).toBe(50);
    expect(validateIcd10Codes([...fifty, 'C50'])).toEqual({
      ok: false,
      reason: 'too_many',
      max: 50,
    });
    expect(validateIcd10Codes(Array.from({ length: 51 }, () => 'E11.9'))).toEqual({
      ok: false,
      reason: 'too_many',
      max: 50,
    });
  });

  it('reports too many before looking at the entries', () => {
    expect(validateIcd10Codes(Array.from({ length: 51 }, () => 'bad'))).toMatchObject({
      reason: 'too_many',
    });
  });
});

describe('normalizeIcd10Codes', () => {
  it('normalises, removes duplicates and sorts in code order', () => {
    expect(normalizeIcd10Codes(['Z99.2', 'i21', 'I21.0', 'e119', 'E11.9'])).toEqual([
      'E11.9',
      'I21',
      'I21.0',
      'Z99.2',
    ]);
  });

  it('throws naming the position, not the value', () => {
    expect(() => normalizeIcd10Codes(['E11.9', 'secret diagnosis'])).toThrow(
      new RangeError('normalizeIcd10Codes: entry 1 is not an ICD-10 code'),
    );
  });
});
