/**
 * ICD-10 code syntax: recognising, normalising, sorting. Knows nothing of what a code means (see
 * `quan-2005.ts`), so it serves the API's input validation and the scorer alike.
 *
 * A code is a letter, a digit, a digit or letter, then optionally a dot and one to four more digits
 * or letters (WHO ICD-10 and the longer national modifications such as ICD-10-CM `S72.001A`). Case
 * and the dot do not matter: `e119`, `E119` and `E11.9` are the same code. Surrounding whitespace is
 * ignored (`"E11.9, I21.0"` split on the comma still reads).
 */

/** The most codes one record may carry. */
export const MAX_ICD10_CODES = 50;

/** Prefix that marks a code in explanations (`icd10:E11.9`), next to matched free text. */
export const ICD10_EVIDENCE_PREFIX = 'icd10:';

// ASCII classes on purpose: `toUpperCase` would turn a dotless ı or a long ſ into I or S.
const CODE = /^([A-Za-z][0-9][0-9A-Za-z])(?:\.?([0-9A-Za-z]{1,4}))?$/;

/** The normalised form (`E11.9`, `I21`), or null if `code` is not a well-formed ICD-10 code. */
export function normalizeIcd10Code(code: string): string | null {
  if (typeof code !== 'string') return null;
  const m = CODE.exec(code.trim());
  if (m === null) return null;
  const category = m[1].toUpperCase();
  return m[2] === undefined ? category : `${category}.${m[2].toUpperCase()}`;
}

export function isIcd10Code(code: string): boolean {
  return normalizeIcd10Code(code) !== null;
}

/** Normalised code without its dot (`E119`), the form the coding algorithms match prefixes on. */
export function icd10Key(normalizedCode: string): string {
  return normalizedCode.replace('.', '');
}

export type Icd10ListCheck =
  /** `codes`: normalised, sorted, duplicates removed. */
  | { readonly ok: true; readonly codes: string[] }
  /** More than `max` entries (counted as given, before duplicates are removed). */
  | { readonly ok: false; readonly reason: 'too_many'; readonly max: number }
  /** `index` (0-based) is the first entry that is not a well-formed code (or not a string). */
  | { readonly ok: false; readonly reason: 'malformed'; readonly index: number };

/** Checks a list as received (e.g. a JSON array) and, if it is valid, normalises it. */
export function validateIcd10Codes(codes: readonly unknown[]): Icd10ListCheck {
  if (codes.length > MAX_ICD10_CODES) {
    return { ok: false, reason: 'too_many', max: MAX_ICD10_CODES };
  }
  const normalized: string[] = [];
  for (const [index, code] of codes.entries()) {
    const n = typeof code === 'string' ? normalizeIcd10Code(code) : null;
    if (n === null) return { ok: false, reason: 'malformed', index };
    normalized.push(n);
  }
  return { ok: true, codes: sortedUniqueCodes(normalized) };
}

/** Code-point order, so `I21` < `I21.0` < `I21.9` < `I22`. */
function sortedUniqueCodes(normalized: readonly string[]): string[] {
  return [...new Set(normalized)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Normalises, removes duplicates and sorts: the form a record stores and answers. Throws a
 * RangeError naming the position (never the value) of the first malformed code; no length limit
 * (that is `validateIcd10Codes`'s job).
 */
export function normalizeIcd10Codes(codes: readonly string[]): string[] {
  const normalized = codes.map((code, index) => {
    const n = normalizeIcd10Code(code);
    if (n === null) {
      throw new RangeError(`normalizeIcd10Codes: entry ${index} is not an ICD-10 code`);
    }
    return n;
  });
  return sortedUniqueCodes(normalized);
}
