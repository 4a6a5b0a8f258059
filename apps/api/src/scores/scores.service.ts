import { Injectable } from '@nestjs/common';
import { ScoringService, type ScoreExplanation } from '@app/scoring';
import { PatientNotFoundError, PatientRepository } from '@app/storage';
import { scoreInputOf } from './score-input';

/** A patient's score with its explanation, always computed from the record as it is now. */
@Injectable()
export class ScoresService {
  constructor(
    private readonly patients: PatientRepository,
    private readonly scoring: ScoringService,
  ) {}

  async explain(id: string): Promise<ScoreExplanation> {
    const stored = await this.patients.findById(id);
    if (!stored) throw new PatientNotFoundError(id);
    return this.scoring.score(scoreInputOf(stored.doc.fields));
  }
}
