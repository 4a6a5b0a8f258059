import { Injectable } from '@nestjs/common';
import { ScoringService, type AnyScoreExplanation, type WeightSet } from '@app/scoring';
import { PatientNotFoundError, PatientRepository } from '@app/storage';
import type { ScoreDto } from './dto/score.dto';
import { scoreInputOf } from './score-input';

/** A patient's score, always computed from the record as it is now. */
@Injectable()
export class ScoresService {
  constructor(
    private readonly patients: PatientRepository,
    private readonly scoring: ScoringService,
  ) {}

  /**
   * The score with the chosen weights; with `explained`, also what was read from the record
   * (conditions, matched text, age): only for callers who may read the record itself.
   */
  async score(
    tenant: string,
    id: string,
    weights: WeightSet,
    explained: boolean,
  ): Promise<ScoreDto> {
    const stored = await this.patients.findById(tenant, id);
    if (!stored) throw new PatientNotFoundError(id);
    const result = this.scoring.score(scoreInputOf(stored.doc.fields), { weights });
    return explained ? { id, ...result } : scoreOnly(id, result);
  }
}

/** Minimum necessary: the numbers, none of the diagnoses behind them. */
function scoreOnly(id: string, result: AnyScoreExplanation): ScoreDto {
  const { score, model, weights, cci, tenYearSurvival } = result;
  return { id, score, model, weights, cci, tenYearSurvival };
}
