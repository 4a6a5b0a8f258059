export { SCORING_MODEL, agePointsFor, tenYearSurvival } from './charlson';
export { type CalendarDate, ageInYears, compareDates, parseRecordDate } from './dates';
export {
  type MatchedCondition,
  type ScoreExplanation,
  type ScoreInput,
  scorePatient,
} from './score';
export { ScoringModule } from './scoring.module';
export { ScoringService } from './scoring.service';
