import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { Scope } from '../auth/scopes';
import { RecordApi, RecordRoute } from '../common/decorators/record-route.decorator';
import { PatientIdPipe } from '../common/validation/patient-id.pipe';
import { ScoreDto } from './dto/score.dto';
import { ScoresService } from './scores.service';

@RecordApi('scores')
@Controller()
export class ScoresController {
  constructor(private readonly scores: ScoresService) {}

  /**
   * Read a patient's risk score
   *
   * The age-adjusted Charlson comorbidity index with its explanation: the conditions read from
   * the record with their weights and the text that matched, the age points, what was not
   * recognised, and the estimated 10-year survival. Requires the scope `scores:read`.
   */
  @Get('score/:id')
  @RecordRoute(Scope.scoresRead, 'score.read', 400, 404)
  @ApiOkResponse({ type: ScoreDto, description: 'The score and its explanation' })
  async getPatientScore(@Param('id', PatientIdPipe) id: string): Promise<ScoreDto> {
    const explanation = await this.scores.explain(id);
    return { id, ...explanation };
  }
}
