import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditEvent } from '../audit-event';

/** One access to patient records, as the audit trail holds it: never the record's content. */
export class AuditEventDto implements Omit<AuditEvent, 'action' | 'outcome'> {
  /** When the request arrived (ISO 8601). */
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  time!: string;

  /** The clinic; `*` for requests that named none (no valid token). */
  @ApiProperty({ example: 'dev-clinic' })
  tenant!: string;

  /** The token's `sub`, or `unauthenticated`. */
  @ApiProperty({ example: 'nurse-jo' })
  actor!: string;

  /** The OAuth client the token was issued to (`azp` or `client_id`). */
  @ApiPropertyOptional({ example: 'ward-7-app' })
  clientId?: string;

  /** The token's `jti`. */
  @ApiPropertyOptional()
  tokenId?: string;

  /** What was asked: `patient.read`, `patient.create`, `score.read`, `patient.list`, … */
  @ApiProperty({ example: 'patient.read' })
  action!: string;

  /** The patient the request named, or those a listing showed. */
  @ApiProperty({ type: [String], example: ['patient_3'] })
  patientIds!: string[];

  /** How it ended: `success`, `not_found`, `forbidden`, `unauthenticated`, `rate_limited`, … */
  @ApiProperty({ example: 'success' })
  outcome!: string;

  /** Listed records withheld because they failed their integrity check. */
  @ApiPropertyOptional({ type: [String] })
  withheld?: string[];

  /** The service's own id of the request (its `X-Request-Id` answer header). */
  @ApiProperty()
  requestId!: string;

  /** The `X-Request-Id` the client sent, kept beside ours. */
  @ApiPropertyOptional()
  clientRequestId?: string;

  @ApiProperty({ example: '127.0.0.1' })
  clientAddress!: string;

  @ApiPropertyOptional()
  userAgent?: string;

  /** Emergency access ("break the glass"): the reason given. */
  @ApiPropertyOptional()
  breakGlassReason?: string;

  /** For writes: SHA-256 (hex) of the envelope stored; null for an erasure. */
  @ApiPropertyOptional({ type: String, nullable: true })
  recordDigest?: string | null;
}

/** An audit event with its place in the tamper-evident chain of the instance that wrote it. */
export class ChainedAuditEventDto {
  /** The event's id in the clinic's trail; pass the last one as `cursor` to continue. */
  @ApiProperty({ example: '1764583200000-0' })
  id!: string;

  /** The writer instance's chain. */
  @ApiProperty()
  chain!: string;

  /** Position in the chain, from 1, without gaps. */
  @ApiProperty()
  seq!: number;

  /** `hash` of the chain's previous event (64 zeros for the first). */
  @ApiProperty()
  prev!: string;

  /** SHA-256 of `prev` and the canonical JSON of the event with its chain and seq. */
  @ApiProperty()
  hash!: string;

  /** HMAC-SHA256 of `hash` with the audit key: only the service can make it. */
  @ApiProperty()
  mac!: string;

  @ApiProperty({ type: AuditEventDto })
  event!: AuditEventDto;
}

export class AuditPageDto {
  @ApiProperty({ type: [ChainedAuditEventDto] })
  items!: ChainedAuditEventDto[];

  /** Pass as `cursor` for the next page; null when there is nothing more now. */
  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

/** One disclosure of a patient's record: who, when, what, how it ended, and why in an emergency. */
export class AccessLogEntryDto {
  @ApiProperty({ example: '1764583200000-0' })
  id!: string;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  time!: string;

  @ApiProperty({ example: 'nurse-jo' })
  actor!: string;

  @ApiPropertyOptional({ example: 'ward-7-app' })
  clientId?: string;

  @ApiProperty({ example: 'patient.read' })
  action!: string;

  @ApiProperty({ example: 'success' })
  outcome!: string;

  /** Emergency access: the reason given. */
  @ApiPropertyOptional()
  breakGlassReason?: string;

  @ApiProperty()
  requestId!: string;
}

export class AccessLogPageDto {
  @ApiProperty({ type: [AccessLogEntryDto] })
  items!: AccessLogEntryDto[];

  /** Pass as `cursor` for the next page; null when there is nothing more now. */
  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
