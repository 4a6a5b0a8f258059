/**
 * scorePatient: record fields in, Charlson comorbidity index and its explanation out.
 * Pure and deterministic: no I/O, no clock, no randomness.
 */
import {
  CONDITION_BY_ID,
  type ConditionId,
  SCORING_MODEL,
  agePointsFor,
  tenYearSurvival,
} from './charlson';
import { ageInYears, compareDates, parseRecordDate } from './dates';
import { type Extraction, compareText, extractConditions } from './extract';
import { ICD10_EVIDENCE_PREFIX, MAX_ICD10_CODES, validateIcd10Codes } from './icd10';
import { ICD10_MAPPING_VERSION } from './quan-2005';
import {
  ANY_MALIGNANCY_LABEL,
  DEFAULT_WEIGHTS,
  QUAN_2011_EXCLUSION_PAIRS,
  QUAN_2011_WEIGHTS,
  type Quan2011ConditionId,
  type WeightSet,
  isWeightSet,
  quan2011ConditionFor,
} from './weights';

export interface MatchedCondition {
  /** Stable id, e.g. 'chronic_pulmonary_disease' ('any_malignancy' with the quan-2011 weights). */
  condition: string;
  /** Human-readable name, e.g. 'Chronic pulmonary disease'. */
  label: string;
  /** The weight in the weight set used (0 is possible with quan-2011). */
  weight: number;
  /**
   * What matched: the texts, as written, then the codes as `icd10:E11.9`; several distinct matches
   * are sorted (texts first) and joined with '; '.
   */
  matched: string;
}

interface ExplanationCommon {
  /** Version of the scoring library's model; stored scores carry it (see `SCORING_MODEL`). */
  model: string;
  /** Which weights the CCI sums. */
  weights: WeightSet;
  /** The ICD-10 coding algorithm applied to `icd10`, e.g. 'quan-2005-icd10'. */
  icd10Mapping: typeof ICD10_MAPPING_VERSION;
  /** Sum of the counted conditions' weights (+ age points with charlson-1987). */
  cci: number;
  ageYears: number;
  /** Counted conditions, by weight (descending) then id. */
  conditions: MatchedCondition[];
  /** Found but not counted because the more severe condition of the pair was present. */
  superseded: MatchedCondition[];
  /**
   * Terms that scored nothing, as written (quotes and edge punctuation stripped), sorted; then the
   * codes that map to no condition, as `icd10:Z00.0`, sorted.
   */
  unrecognized: string[];
  notes: string[];
}

/** The default: Charlson 1987 weights, age points, 10-year survival. */
export interface ScoreExplanation extends ExplanationCommon {
  weights: 'charlson-1987';
  /** 1 - tenYearSurvival, in [0, 1]. */
  score: number;
  tenYearSurvival: number;
  agePoints: number;
}

/** Quan 2011 weights: as published, no age points and no survival estimate. */
export interface Quan2011ScoreExplanation extends ExplanationCommon {
  weights: 'quan-2011';
  score: null;
  tenYearSurvival: null;
  agePoints: null;
}

export type AnyScoreExplanation = ScoreExplanation | Quan2011ScoreExplanation;

export interface ScoreInput {
  dob: string;
  dateadmitted: string;
  preexistingconditions: string;
  /** Coded diagnoses, any accepted spelling (`e119`, `E11.9`); at most `MAX_ICD10_CODES`. */
  icd10?: readonly string[];
}

export interface ScoreOptions {
  /** Default 'charlson-1987'. */
  weights?: WeightSet;
}

const MATCH_SEPARATOR = '; ';

function byWeightThenId(a: MatchedCondition, b: MatchedCondition): number {
  if (a.weight !== b.weight) return b.weight - a.weight;
  return a.condition < b.condition ? -1 : a.condition > b.condition ? 1 : 0;
}

function toMatched(found: ReadonlyMap<ConditionId, readonly string[]>): MatchedCondition[] {
  const list: MatchedCondition[] = [];
  for (const [id, texts] of found) {
    const definition = CONDITION_BY_ID.get(id);
    // Unreachable while the synonym and code tables only use ids from CHARLSON_CONDITIONS.
    if (definition === undefined) throw new Error(`Unknown Charlson condition: ${id}`);
    list.push({
      condition: id,
      label: definition.label,
      weight: definition.weight,
      matched: texts.join(MATCH_SEPARATOR),
    });
  }
  return list.sort(byWeightThenId);
}

/** Texts first, in `compareText` order, then codes in code order. */
function byEvidence(a: string, b: string): number {
  const aCode = a.startsWith(ICD10_EVIDENCE_PREFIX);
  const bCode = b.startsWith(ICD10_EVIDENCE_PREFIX);
  if (aCode !== bCode) return aCode ? 1 : -1;
  if (!aCode) return compareText(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function quan2011Matched(id: Quan2011ConditionId, evidence: readonly string[]): MatchedCondition {
  const label =
    id === 'any_malignancy' ? ANY_MALIGNANCY_LABEL : (CONDITION_BY_ID.get(id)?.label ?? id);
  return {
    condition: id,
    label,
    weight: QUAN_2011_WEIGHTS[id],
    matched: evidence.join(MATCH_SEPARATOR),
  };
}

/**
 * Regroups the extraction into Quan's 17 conditions (tumour, leukaemia and lymphoma become "any
 * malignancy") and applies the hierarchy again over those.
 */
function quan2011Conditions(extraction: Extraction): {
  conditions: MatchedCondition[];
  superseded: MatchedCondition[];
} {
  const found = new Map<Quan2011ConditionId, string[]>();
  for (const [id, evidence] of [...extraction.counted, ...extraction.superseded]) {
    const quanId = quan2011ConditionFor(id);
    found.set(quanId, [...(found.get(quanId) ?? []), ...evidence]);
  }
  const superseded = new Set<Quan2011ConditionId>();
  for (const { milder, severer } of QUAN_2011_EXCLUSION_PAIRS) {
    if (found.has(milder) && found.has(severer)) superseded.add(milder);
  }
  const conditions: MatchedCondition[] = [];
  const supersededList: MatchedCondition[] = [];
  for (const [id, evidence] of found) {
    // Tumour, leukaemia and lymphoma merge into one list: keep each match once, texts first.
    const unique = [...new Set(evidence)].sort(byEvidence);
    (superseded.has(id) ? supersededList : conditions).push(quan2011Matched(id, unique));
  }
  return {
    conditions: conditions.sort(byWeightThenId),
    superseded: supersededList.sort(byWeightThenId),
  };
}

/**
 * Scores one record. Throws a RangeError (without echoing the value, which is patient data) if a
 * date does not parse, the admission precedes the birth, a code is malformed or there are more than
 * `MAX_ICD10_CODES` codes.
 */
export function scorePatient(
  input: ScoreInput,
  options?: ScoreOptions & { weights?: 'charlson-1987' },
): ScoreExplanation;
export function scorePatient(
  input: ScoreInput,
  options: ScoreOptions & { weights: 'quan-2011' },
): Quan2011ScoreExplanation;
export function scorePatient(input: ScoreInput, options?: ScoreOptions): AnyScoreExplanation;
export function scorePatient(input: ScoreInput, options: ScoreOptions = {}): AnyScoreExplanation {
  const weights = options.weights ?? DEFAULT_WEIGHTS;
  if (!isWeightSet(weights)) {
    throw new RangeError('scorePatient: weights must be charlson-1987 or quan-2011');
  }
  const dob = parseRecordDate(input.dob);
  if (dob === null) {
    throw new RangeError(
      'scorePatient: dob is not a valid date (expected MM/DD/YYYY or YYYY-MM-DD)',
    );
  }
  const admitted = parseRecordDate(input.dateadmitted);
  if (admitted === null) {
    throw new RangeError(
      'scorePatient: dateadmitted is not a valid date (expected MM/DD/YYYY or YYYY-MM-DD)',
    );
  }
  if (compareDates(admitted, dob) < 0) {
    throw new RangeError('scorePatient: dateadmitted is before dob');
  }
  if (typeof input.preexistingconditions !== 'string') {
    throw new TypeError('scorePatient: preexistingconditions must be a string');
  }
  const codes = checkedCodes(input.icd10);

  const ageYears = ageInYears(dob, admitted);
  const extraction = extractConditions(input.preexistingconditions, codes);
  const common: Pick<
    ExplanationCommon,
    'model' | 'icd10Mapping' | 'ageYears' | 'unrecognized' | 'notes'
  > = {
    model: SCORING_MODEL,
    icd10Mapping: ICD10_MAPPING_VERSION,
    ageYears,
    unrecognized: [...extraction.unrecognized],
    notes: [...extraction.notes],
  };

  if (weights === 'quan-2011') {
    const { conditions, superseded } = quan2011Conditions(extraction);
    return {
      ...common,
      weights,
      score: null,
      tenYearSurvival: null,
      cci: conditions.reduce((sum, c) => sum + c.weight, 0),
      agePoints: null,
      conditions,
      superseded,
    };
  }

  const agePoints = agePointsFor(ageYears);
  const conditions = toMatched(extraction.counted);
  const cci = conditions.reduce((sum, c) => sum + c.weight, agePoints);
  const survival = tenYearSurvival(cci);
  return {
    ...common,
    weights,
    score: 1 - survival,
    tenYearSurvival: survival,
    cci,
    agePoints,
    conditions,
    superseded: toMatched(extraction.superseded),
  };
}

function checkedCodes(icd10: ScoreInput['icd10']): readonly string[] {
  if (icd10 === undefined) return [];
  if (!Array.isArray(icd10)) throw new TypeError('scorePatient: icd10 must be an array of strings');
  const check = validateIcd10Codes(icd10);
  if (check.ok) return check.codes;
  throw new RangeError(
    check.reason === 'too_many'
      ? `scorePatient: icd10 has more than ${MAX_ICD10_CODES} codes`
      : `scorePatient: icd10[${check.index}] is not an ICD-10 code`,
  );
}
