import { SetMetadata } from '@nestjs/common';

export type AuditAction =
  | 'patient.create'
  | 'patient.read'
  | 'patient.replace'
  | 'patient.erase'
  | 'patient.list'
  | 'score.read'
  | 'patient.access_log'
  | 'audit.export';

export const AUDITED_ACTION = Symbol('auditedAction');

/** Every call of this route is written to the audit log as `action`, whatever its outcome. */
export const Audited = (action: AuditAction): MethodDecorator =>
  SetMetadata(AUDITED_ACTION, action);
