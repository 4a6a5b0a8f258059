import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PatientIdPipe } from '../common/validation/patient-id.pipe';
import { PatientsService } from '../patients/patients.service';
import { ScoreDto } from './dto/score.dto';

@ApiTags('scores')
@Controller()
export class ScoresController {
  constructor(private readonly patients: PatientsService) {}

  /**
   * A patient's risk score (age-adjusted Charlson comorbidity index) with its explanation: the
   * conditions read from the record, their weights, the age points and what was not recognised.
   */
  @Get('score/:id')
  @ApiOkResponse({ type: ScoreDto })
  async getPatientScore(@Param('id', PatientIdPipe) id: string): Promise<ScoreDto> {
    const explanation = await this.patients.explainScore(id);
    return { id, ...explanation };
  }
}
