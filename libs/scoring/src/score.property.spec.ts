import fc from 'fast-check';
import { daysInMonth } from './dates';
import { scorePatient } from './score';

const RUNS = { numRuns: 200 };

// Condition phrases (including negated and unscored ones) to build condition lists from.
const VOCABULARY = [
  'diabetes',
  'T2DM',
  'diabetic nephropathy',
  'asthma',
  'COPD',
  'CHF',
  'MI',
  'heart attack',
  'stroke',
  'TIA',
  'PVD',
  'dementia',
  'rheumatoid arthritis',
  'PUD',
  'hepatitis C',
  'cirrhosis with portal hypertension',
  'hemiplegia',
  'CKD stage 4',
  'dialysis',
  'breast cancer',
  'metastatic lung cancer',
  'leukaemia',
  'lymphoma',
  'AIDS',
  'HIV',
  'hypertension',
  'hyperlipidaemia',
  'no diabetes',
  'denies stroke',
  'family history of MI',
  'diet-controlled diabetes',
  'CKD stage 2',
];

interface Dated {
  dob: string;
  dateadmitted: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const calendarDate = fc
  .record({ year: fc.integer({ min: 1900, max: 2030 }), month: fc.integer({ min: 1, max: 12 }) })
  .chain(({ year, month }) =>
    fc.integer({ min: 1, max: daysInMonth(year, month) }).map((day) => ({ year, month, day })),
  );

const usFormat = (d: { year: number; month: number; day: number }) =>
  `${pad(d.month, 2)}/${pad(d.day, 2)}/${pad(d.year, 4)}`;
const isoFormat = (d: { year: number; month: number; day: number }) =>
  `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
const key = (d: { year: number; month: number; day: number }) =>
  d.year * 10000 + d.month * 100 + d.day;

/** A date of birth and an admission on or after it, in either record format. */
const datedRecord: fc.Arbitrary<Dated> = fc
  .tuple(calendarDate, calendarDate, fc.boolean())
  .map(([a, b, iso]) => {
    const [dob, admitted] = key(a) <= key(b) ? [a, b] : [b, a];
    const format = iso ? isoFormat : usFormat;
    return { dob: format(dob), dateadmitted: format(admitted) };
  });

const terms = fc.subarray(VOCABULARY);
const join = (list: readonly string[]) => `'${list.join(', ')}'`;

describe('properties', () => {
  it('score is in [0, 1] and agrees with the survival, for any text', () => {
    fc.assert(
      fc.property(
        datedRecord,
        fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), terms.map(join)),
        (dates, text) => {
          const r = scorePatient({ ...dates, preexistingconditions: text });
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(1);
          expect(r.tenYearSurvival).toBeGreaterThanOrEqual(0);
          expect(r.tenYearSurvival).toBeLessThanOrEqual(1);
          expect(r.score).toBe(1 - r.tenYearSurvival);
          expect(r.cci).toBe(r.agePoints + r.conditions.reduce((s, c) => s + c.weight, 0));
        },
      ),
      RUNS,
    );
  });

  it('adding a condition never lowers the score', () => {
    fc.assert(
      fc.property(datedRecord, terms, fc.constantFrom(...VOCABULARY), (dates, base, extra) => {
        const before = scorePatient({ ...dates, preexistingconditions: join(base) });
        const after = scorePatient({ ...dates, preexistingconditions: join([...base, extra]) });
        expect(after.cci).toBeGreaterThanOrEqual(before.cci);
        expect(after.score).toBeGreaterThanOrEqual(before.score);
      }),
      RUNS,
    );
  });

  it('adding years of age never lowers the score', () => {
    fc.assert(
      fc.property(calendarDate, calendarDate, calendarDate, terms, (x, y, z, list) => {
        const [dob, earlier, later] = [x, y, z].sort((a, b) => key(a) - key(b));
        const text = join(list);
        const young = scorePatient({
          dob: usFormat(dob),
          dateadmitted: usFormat(earlier),
          preexistingconditions: text,
        });
        const old = scorePatient({
          dob: usFormat(dob),
          dateadmitted: usFormat(later),
          preexistingconditions: text,
        });
        expect(old.ageYears).toBeGreaterThanOrEqual(young.ageYears);
        expect(old.agePoints).toBeGreaterThanOrEqual(young.agePoints);
        expect(old.score).toBeGreaterThanOrEqual(young.score);
      }),
      RUNS,
    );
  });

  it('the order and case of the terms never change the result', () => {
    const shuffledMixedCase = terms.chain((list) =>
      fc
        .tuple(
          fc.constant(list),
          fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
        )
        .chain(([original, shuffled]) =>
          fc.tuple(
            fc.constant(original),
            fc.tuple(...shuffled.map((t) => fc.mixedCase(fc.constant(t)))),
          ),
        ),
    );
    fc.assert(
      fc.property(datedRecord, shuffledMixedCase, (dates, [original, reordered]) => {
        const a = scorePatient({ ...dates, preexistingconditions: join(original) });
        const b = scorePatient({ ...dates, preexistingconditions: join(reordered) });
        expect(b.score).toBe(a.score);
        expect(b.cci).toBe(a.cci);
        expect(b.conditions.map((c) => c.condition)).toEqual(a.conditions.map((c) => c.condition));
        expect(b.superseded.map((c) => c.condition)).toEqual(a.superseded.map((c) => c.condition));
        expect(b.unrecognized.map((t) => t.toLowerCase())).toEqual(
          a.unrecognized.map((t) => t.toLowerCase()),
        );
      }),
      RUNS,
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(datedRecord, terms, (dates, list) => {
        const input = { ...dates, preexistingconditions: join(list) };
        expect(scorePatient(input)).toEqual(scorePatient(input));
      }),
      RUNS,
    );
  });
});

// Codes from every condition of Quan 2005 and some that map to nothing.
const CODES = [
  'I21.9',
  'I25.2',
  'I50.0',
  'I70.2',
  'I63.9',
  'F03',
  'J44.9',
  'M05.9',
  'K25.9',
  'K70.3',
  'K72.1',
  'E11.9',
  'E11.2',
  'G81.9',
  'N18.5',
  'C50.9',
  'C91.1',
  'C83.3',
  'C78.0',
  'B20',
  'I10',
  'Z00.0',
];
const codeLists = fc.subarray(CODES);
const respelled = (code: string) =>
  fc
    .tuple(fc.boolean(), fc.mixedCase(fc.constant(code)))
    .map(([dropDot, spelled]) => (dropDot ? spelled.replace('.', '') : spelled));

describe('properties with codes', () => {
  it.each(['charlson-1987', 'quan-2011'] as const)(
    'adding a code never lowers the CCI (%s)',
    (weights) => {
      fc.assert(
        fc.property(datedRecord, terms, codeLists, fc.constantFrom(...CODES), (d, t, c, extra) => {
          const text = join(t);
          const before = scorePatient({ ...d, preexistingconditions: text, icd10: c }, { weights });
          const after = scorePatient(
            { ...d, preexistingconditions: text, icd10: [...c, extra] },
            { weights },
          );
          expect(after.cci).toBeGreaterThanOrEqual(before.cci);
        }),
        RUNS,
      );
    },
  );

  it('the order, case and dots of the codes never change the result', () => {
    const shuffledRespelled = codeLists.chain((list) =>
      fc.tuple(
        fc.constant(list),
        fc
          .shuffledSubarray(list, { minLength: list.length, maxLength: list.length })
          .chain((shuffled) => fc.tuple(...shuffled.map(respelled))),
      ),
    );
    fc.assert(
      fc.property(datedRecord, terms, shuffledRespelled, (d, t, [original, reordered]) => {
        const text = join(t);
        expect(scorePatient({ ...d, preexistingconditions: text, icd10: reordered })).toEqual(
          scorePatient({ ...d, preexistingconditions: text, icd10: original }),
        );
      }),
      RUNS,
    );
  });

  it('with quan-2011 the CCI is the sum of the counted weights, without age', () => {
    fc.assert(
      fc.property(datedRecord, terms, codeLists, (d, t, c) => {
        const r = scorePatient(
          { ...d, preexistingconditions: join(t), icd10: c },
          { weights: 'quan-2011' },
        );
        expect(r.cci).toBe(r.conditions.reduce((s, x) => s + x.weight, 0));
        expect(r.score).toBeNull();
        expect(r.agePoints).toBeNull();
      }),
      RUNS,
    );
  });
});
