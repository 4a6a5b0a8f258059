import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PatientIdPipe } from '../common/validation/patient-id.pipe';
import { PatientDto } from './dto/patient.dto';
import { PatientFieldsDto } from './dto/patient-fields.dto';
import { PatientsService, PatientView } from './patients.service';

@ApiTags('patients')
@Controller()
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  /**
   * Creates a patient under the given id and scores it. Answers 200 with the stored record (as
   * the original did); 409 if the id is taken.
   */
  @Post('patient/:id')
  @HttpCode(200)
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOkResponse({ type: PatientDto })
  async createPatient(
    @Param('id', PatientIdPipe) id: string,
    @Body() fields: PatientFieldsDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PatientDto> {
    return withETag(res, await this.patients.create(id, fields));
  }

  /** Reads a patient. The ETag is the record's revision, for conditional updates. */
  @Get('patient/:id')
  @ApiOkResponse({ type: PatientDto })
  async getPatient(
    @Param('id', PatientIdPipe) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PatientDto> {
    return withETag(res, await this.patients.get(id));
  }
}

function withETag(res: Response, view: PatientView): PatientDto {
  res.setHeader('ETag', `"${view.rev}"`);
  return view.patient;
}
