import { Injectable } from '@nestjs/common';
import { SCORING_MODEL } from './charlson';
import { type ScoreExplanation, type ScoreInput, scorePatient } from './score';

/** Thin Nest wrapper so the app can inject the scorer; the model itself lives in plain functions. */
@Injectable()
export class ScoringService {
  readonly model = SCORING_MODEL;

  score(input: ScoreInput): ScoreExplanation {
    return scorePatient(input);
  }
}
