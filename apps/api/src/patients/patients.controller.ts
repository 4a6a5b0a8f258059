import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiConsumes,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { PatientIdPipe } from '../common/validation/patient-id.pipe';
import { ListPatientsQueryDto } from './dto/list-patients-query.dto';
import { PatientDto } from './dto/patient.dto';
import { PatientFieldsDto } from './dto/patient-fields.dto';
import { PatientPageDto } from './dto/patient-summary.dto';
import { expectedRevision } from './if-match';
import { decodeCursor, encodeCursor } from './page-cursor';
import { PatientsService, PatientView } from './patients.service';

const BODY_TYPES = ['application/x-www-form-urlencoded', 'application/json'] as const;

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
  @ApiConsumes(...BODY_TYPES)
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

  /**
   * Replaces all 13 fields of an existing patient and re-scores it. With `If-Match` (the ETag of
   * a GET), only if nobody changed the record since: 412 otherwise. Never creates: 404.
   */
  @Put('patient/:id')
  @ApiConsumes(...BODY_TYPES)
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'ETag from a previous read, e.g. "3"',
  })
  @ApiOkResponse({ type: PatientDto })
  async replacePatient(
    @Param('id', PatientIdPipe) id: string,
    @Body() fields: PatientFieldsDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PatientDto> {
    return withETag(res, await this.patients.replace(id, fields, expectedRevision(ifMatch)));
  }

  /** Erases a patient: nothing of the record remains in storage. */
  @Delete('patient/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Erased.' })
  async deletePatient(@Param('id', PatientIdPipe) id: string): Promise<void> {
    await this.patients.erase(id);
  }

  /** Lists patients in id order, a page at a time: id, names and score only. */
  @Get('patients')
  @ApiOkResponse({ type: PatientPageDto })
  async listPatients(@Query() query: ListPatientsQueryDto): Promise<PatientPageDto> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = await this.patients.list(query.limit, after);
    return {
      items: page.items,
      nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter),
    };
  }
}

function withETag(res: Response, view: PatientView): PatientDto {
  res.setHeader('ETag', `"${view.rev}"`);
  return view.patient;
}
