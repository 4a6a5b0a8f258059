export { type ConditionId, SCORING_MODEL, agePointsFor, tenYearSurvival } from './charlson';
export { type CalendarDate, ageInYears, compareDates, parseRecordDate } from './dates';
export {
  ICD10_EVIDENCE_PREFIX,
  type Icd10ListCheck,
  MAX_ICD10_CODES,
  isIcd10Code,
  normalizeIcd10Code,
  normalizeIcd10Codes,
  validateIcd10Codes,
} from './icd10';
export {
  ICD10_MAPPING_VERSION,
  QUAN_2005_ICD10,
  type Quan2005Row,
  conditionForIcd10Code,
} from './quan-2005';
export {
  type AnyScoreExplanation,
  type MatchedCondition,
  type Quan2011ScoreExplanation,
  type ScoreExplanation,
  type ScoreInput,
  type ScoreOptions,
  scorePatient,
} from './score';
export { ScoringModule } from './scoring.module';
export { ScoringService } from './scoring.service';
export {
  DEFAULT_WEIGHTS,
  QUAN_2011_WEIGHTS,
  type Quan2011ConditionId,
  WEIGHT_SETS,
  type WeightSet,
  isWeightSet,
} from './weights';
