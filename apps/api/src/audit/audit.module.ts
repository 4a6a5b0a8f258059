import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log';

/** The audit log; its interceptor is registered with the other cross-cutting providers. */
@Global()
@Module({ providers: [AuditLog], exports: [AuditLog] })
export class AuditModule {}
