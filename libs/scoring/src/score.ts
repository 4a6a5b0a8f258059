/**
 * scorePatient: record fields in, age-adjusted Charlson index and its explanation out.
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
import { extractConditions } from './extract';

export interface MatchedCondition {
  /** Stable id, e.g. 'chronic_pulmonary_disease'. */
  condition: string;
  /** Human-readable name, e.g. 'Chronic pulmonary disease'. */
  label: string;
  weight: number;
  /** The text that matched, as written; several distinct matches are sorted and joined with '; '. */
  matched: string;
}

export interface ScoreExplanation {
  model: string;
  /** 1 - tenYearSurvival, in [0, 1]. */
  score: number;
  tenYearSurvival: number;
  /** Comorbidity points + age points. */
  cci: number;
  agePoints: number;
  ageYears: number;
  /** Counted conditions, by weight (descending) then id. */
  conditions: MatchedCondition[];
  /** Found but not counted because the more severe condition of the pair was present. */
  superseded: MatchedCondition[];
  /** Terms that scored nothing, as written (quotes and edge punctuation stripped), sorted. */
  unrecognized: string[];
  notes: string[];
}

export interface ScoreInput {
  dob: string;
  dateadmitted: string;
  preexistingconditions: string;
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
    // Unreachable while the synonym table only uses ids from CHARLSON_CONDITIONS.
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

/**
 * Scores one record. Throws a RangeError (without echoing the value, which is patient data) if a
 * date does not parse or the admission precedes the birth.
 */
export function scorePatient(input: ScoreInput): ScoreExplanation {
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

  const ageYears = ageInYears(dob, admitted);
  const agePoints = agePointsFor(ageYears);
  const extraction = extractConditions(input.preexistingconditions);
  const conditions = toMatched(extraction.counted);
  const cci = conditions.reduce((sum, c) => sum + c.weight, agePoints);
  const survival = tenYearSurvival(cci);

  return {
    model: SCORING_MODEL,
    score: 1 - survival,
    tenYearSurvival: survival,
    cci,
    agePoints,
    ageYears,
    conditions,
    superseded: toMatched(extraction.superseded),
    unrecognized: [...extraction.unrecognized],
    notes: [...extraction.notes],
  };
}
