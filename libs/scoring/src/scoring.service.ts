import { Injectable } from '@nestjs/common';
import { SCORING_MODEL } from './charlson';
import {
  type AnyScoreExplanation,
  type Quan2011ScoreExplanation,
  type ScoreExplanation,
  type ScoreInput,
  type ScoreOptions,
  scorePatient,
} from './score';

/** Thin Nest wrapper so the app can inject the scorer; the model itself lives in plain functions. */
@Injectable()
export class ScoringService {
  readonly model = SCORING_MODEL;

  score(
    input: ScoreInput,
    options?: ScoreOptions & { weights?: 'charlson-1987' },
  ): ScoreExplanation;
  score(
    input: ScoreInput,
    options: ScoreOptions & { weights: 'quan-2011' },
  ): Quan2011ScoreExplanation;
  score(input: ScoreInput, options?: ScoreOptions): AnyScoreExplanation;
  score(input: ScoreInput, options?: ScoreOptions): AnyScoreExplanation {
    return scorePatient(input, options);
  }
}
