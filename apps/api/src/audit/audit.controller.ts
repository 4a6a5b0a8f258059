import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { AuditStore, type AuditPage, type StoredAuditEvent } from '@app/storage';
import { type Caller, CurrentCaller } from '../auth/caller.decorator';
import { Scope } from '../auth/scopes';
import { RecordApi, RecordRoute } from '../common/decorators/record-route.decorator';
import { PatientIdPipe } from '../common/validation/patient-id.pipe';
import type { AuditEvent } from './audit-event';
import { AuditQueryDto } from './dto/audit-query.dto';
import {
  AccessLogEntryDto,
  AccessLogPageDto,
  AuditPageDto,
  type ChainedAuditEventDto,
} from './dto/audit-event.dto';

@RecordApi('audit')
@Controller()
export class AuditController {
  constructor(private readonly store: AuditStore) {}

  /**
   * A patient's accounting of disclosures
   *
   * Every request of the caller's clinic that named this patient, oldest first: who, when,
   * what, how it ended, and the reason of an emergency access. Kept after the record is erased
   * (events hold the id, never the content). Requires the scope `audit:read`.
   */
  @Get('patient/:id/access-log')
  @RecordRoute(Scope.auditRead, 'patient.access_log', 400)
  @ApiOkResponse({ type: AccessLogPageDto, description: 'A page of the access log' })
  async getPatientAccessLog(
    @Param('id', PatientIdPipe) id: string,
    @Query() query: AuditQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<AccessLogPageDto> {
    const page = await this.store.readPatient(caller.tenant, id, query.limit, query.cursor);
    return { items: page.events.map(accessOf), nextCursor: page.next };
  }

  /**
   * The clinic's audit trail
   *
   * Every audit event of the caller's clinic in order, with its chain fields (`chain`, `seq`,
   * `prev`, `hash`, `mac`), for a SIEM to pull: the cursor resumes exactly where the last page
   * ended. Requires the scope `audit:read`.
   */
  @Get('audit')
  @RecordRoute(Scope.auditRead, 'audit.export', 400)
  @ApiOkResponse({ type: AuditPageDto, description: 'A page of the audit trail' })
  async getAuditTrail(
    @Query() query: AuditQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<AuditPageDto> {
    const page: AuditPage = await this.store.readAll(caller.tenant, query.limit, query.cursor);
    return { items: page.events.map(chainedOf), nextCursor: page.next };
  }
}

function chainedOf(stored: StoredAuditEvent): ChainedAuditEventDto {
  const { id, chain, seq, prev, hash, mac } = stored;
  return { id, chain, seq, prev, hash, mac, event: stored.event as unknown as AuditEvent };
}

function accessOf(stored: StoredAuditEvent): AccessLogEntryDto {
  const event = stored.event as unknown as AuditEvent;
  return {
    id: stored.id,
    time: event.time,
    actor: event.actor,
    ...(event.clientId !== undefined ? { clientId: event.clientId } : {}),
    action: event.action,
    outcome: event.outcome,
    ...(event.breakGlassReason !== undefined ? { breakGlassReason: event.breakGlassReason } : {}),
    requestId: event.requestId,
  };
}
