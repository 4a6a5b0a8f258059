import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../auth/caller.decorator';
import { Scope } from '../auth/scopes';
import { RecordApi, RecordRoute } from '../common/decorators/record-route.decorator';
import { PatientIdPipe } from '../common/validation/patient-id.pipe';
import { ScoreQueryDto } from './dto/score-query.dto';
import { ScoreDto } from './dto/score.dto';
import { ScoresService } from './scores.service';

@RecordApi('scores')
@Controller()
export class ScoresController {
  constructor(private readonly scores: ScoresService) {}

  /**
   * Read a patient's risk score
   *
   * The Charlson comorbidity index of the record as it is now: from the free-text
   * `preexistingconditions` and the ICD-10 codes (Quan's 2005 coding algorithm), with the
   * Charlson 1987 weights, age points and the estimated 10-year survival by default, or the Quan
   * 2011 weights (`weights=quan-2011`: no age points, no survival estimate). Requires the scope
   * `scores:read`; the explanation (conditions with their weights and what matched, the age,
   * what was not recognised) is answered only to tokens that also have `patients:read`.
   */
  @Get('score/:id')
  @RecordRoute(Scope.scoresRead, 'score.read', 400, 404)
  @ApiOkResponse({ type: ScoreDto, description: 'The score (and its explanation)' })
  getPatientScore(
    @Param('id', PatientIdPipe) id: string,
    @Query() query: ScoreQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<ScoreDto> {
    const explained = caller.scopes.has(Scope.patientsRead);
    return this.scores.score(caller.tenant, id, query.weights, explained);
  }
}
