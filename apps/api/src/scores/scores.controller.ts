import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator';
import { RequireScopes, Scope } from '../auth/scopes';
import { PatientIdPipe } from '../common/validation/patient-id.pipe';
import { ApiProblems, AUTHENTICATED_PROBLEMS } from '../openapi/api-responses.decorator';
import { PatientsService } from '../patients/patients.service';
import { ScoreDto } from './dto/score.dto';

@ApiTags('scores')
@ApiBearerAuth('bearer')
@ApiProblems(...AUTHENTICATED_PROBLEMS)
@Controller()
export class ScoresController {
  constructor(private readonly patients: PatientsService) {}

  /**
   * Read a patient's risk score
   *
   * The age-adjusted Charlson comorbidity index with its explanation: the conditions read from
   * the record with their weights and the text that matched, the age points, what was not
   * recognised, and the estimated 10-year survival. Requires the scope `scores:read`.
   */
  @Get('score/:id')
  @RequireScopes(Scope.scoresRead)
  @Audited('score.read')
  @ApiOkResponse({ type: ScoreDto, description: 'The score and its explanation' })
  @ApiProblems(400, 404)
  async getPatientScore(@Param('id', PatientIdPipe) id: string): Promise<ScoreDto> {
    const explanation = await this.patients.explainScore(id);
    return { id, ...explanation };
  }
}
