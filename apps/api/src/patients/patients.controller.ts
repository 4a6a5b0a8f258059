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
import { ApiConsumes, ApiHeader, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditedWrite, type WriteAudit } from '../audit/write-audit.decorator';
import { type Caller, CurrentCaller } from '../auth/caller.decorator';
import { AllowsEmergencyAccess, Scope } from '../auth/scopes';
import { RecordApi, RecordRoute } from '../common/decorators/record-route.decorator';
import { PatientIdPipe } from '../common/validation/patient-id.pipe';
import { ListPatientsQueryDto } from './dto/list-patients-query.dto';
import { PatientDto } from './dto/patient.dto';
import { PatientFieldsDto } from './dto/patient-fields.dto';
import { PatientPageDto } from './dto/patient-summary.dto';
import { expectedRevision } from './if-match';
import { decodeCursor, encodeCursor } from './page-cursor';
import { PatientsService, PatientView } from './patients.service';

const BODY_TYPES = ['application/x-www-form-urlencoded', 'application/json'] as const;

/** The record's revision, for `If-Match` on a later PUT. */
const ETAG_HEADER = {
  ETag: { description: 'The revision of the record, e.g. "3"', schema: { type: 'string' } },
};

@RecordApi('patients')
@Controller()
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  /**
   * Create a patient
   *
   * Stores a new patient under the given id and scores it. Answers 200 with the stored record, as
   * the original did; 409 if the id is taken. Send the 13 fields form-encoded (as the original's
   * clients do) or as JSON. Requires the scope `patients:write`.
   */
  @Post('patient/:id')
  @RecordRoute(Scope.patientsWrite, 'patient.create', 400, 409, 413, 415)
  @HttpCode(200)
  @ApiConsumes(...BODY_TYPES)
  @ApiOkResponse({ type: PatientDto, description: 'The stored record', headers: ETAG_HEADER })
  async createPatient(
    @Param('id', PatientIdPipe) id: string,
    @Body() fields: PatientFieldsDto,
    @CurrentCaller() caller: Caller,
    @AuditedWrite() audit: WriteAudit,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PatientDto> {
    return withETag(res, await this.patients.create(caller, id, fields, audit));
  }

  /**
   * Read a patient
   *
   * Answers the record as the original did: the 13 fields, `id` and `score`, flat. The ETag is
   * the record's revision, for conditional updates. Requires the scope `patients:read`; the SSN
   * is answered in full only with `patients:identifiers`, otherwise masked. In an emergency a
   * token with `patients:emergency` may read a record of its own clinic without
   * `patients:read`, giving the reason in `X-Break-Glass-Reason`: the access is audited with it.
   * A record of another clinic answers 404, as an unknown id does.
   */
  @Get('patient/:id')
  @RecordRoute(Scope.patientsRead, 'patient.read', 400, 404)
  @AllowsEmergencyAccess()
  @ApiHeader({
    name: 'X-Break-Glass-Reason',
    required: false,
    description:
      'Emergency access only (scope `patients:emergency`): why this record must be read now, 1 to 500 printable characters',
    schema: { type: 'string', minLength: 1, maxLength: 500 },
  })
  @ApiOkResponse({ type: PatientDto, description: 'The record', headers: ETAG_HEADER })
  async getPatient(
    @Param('id', PatientIdPipe) id: string,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PatientDto> {
    return withETag(res, await this.patients.get(caller, id));
  }

  /**
   * Replace a patient
   *
   * Replaces all 13 fields of an existing patient and re-scores it. With `If-Match` (the ETag of
   * a read), only if nobody changed the record since: 412 otherwise. Never creates: 404 for an
   * unknown id. Requires the scope `patients:write`.
   */
  @Put('patient/:id')
  @RecordRoute(Scope.patientsWrite, 'patient.replace', 400, 404, 412, 413, 415)
  @ApiConsumes(...BODY_TYPES)
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag of a previous read, e.g. "3" (or `*`): replace only that revision',
    schema: { type: 'string', pattern: '^(\\*|"\\d{1,15}")$' },
  })
  @ApiOkResponse({ type: PatientDto, description: 'The new record', headers: ETAG_HEADER })
  async replacePatient(
    @Param('id', PatientIdPipe) id: string,
    @Body() fields: PatientFieldsDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentCaller() caller: Caller,
    @AuditedWrite() audit: WriteAudit,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PatientDto> {
    const view = await this.patients.replace(caller, id, fields, audit, expectedRevision(ifMatch));
    return withETag(res, view);
  }

  /**
   * Erase a patient
   *
   * Erases the record and its index entry, atomically. Redis's append-only file is rewritten
   * within ERASURE_COMPACTION_S, so the record leaves the master's disk; replicas, snapshots and
   * backups made before keep it until they are rewritten or expire (see docs/operations.md,
   * "Erasure"). The audit trail keeps who erased it, with the id, never the content. Requires the
   * scope `patients:delete`.
   */
  @Delete('patient/:id')
  @RecordRoute(Scope.patientsDelete, 'patient.erase', 400, 404)
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Erased' })
  async deletePatient(
    @Param('id', PatientIdPipe) id: string,
    @CurrentCaller() caller: Caller,
    @AuditedWrite() audit: WriteAudit,
  ): Promise<void> {
    await this.patients.erase(caller, id, audit);
  }

  /**
   * List patients
   *
   * Patients in id order, a page at a time: id, names and score only. Pass `nextCursor` as
   * `cursor` for the next page; records created or erased meanwhile never make a page repeat or
   * skip the others. Requires the scope `patients:read`.
   */
  @Get('patients')
  @RecordRoute(Scope.patientsRead, 'patient.list', 400)
  @ApiOkResponse({ type: PatientPageDto, description: 'A page of patients' })
  async listPatients(
    @Query() query: ListPatientsQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<PatientPageDto> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = await this.patients.list(caller, query.limit, after);
    return {
      items: page.items,
      nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter),
      withheld: page.withheld,
    };
  }
}

function withETag(res: Response, view: PatientView): PatientDto {
  res.setHeader('ETag', `"${view.rev}"`);
  return view.patient;
}
