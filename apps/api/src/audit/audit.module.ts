import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditLog } from './audit-log';
import { AuditRoutes } from './audit-routes';
import { AuditTrail } from './audit-trail';

/** The audit trail; its interceptor is registered with the other cross-cutting providers. */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [AuditLog, AuditRoutes, AuditTrail],
  exports: [AuditTrail],
})
export class AuditModule {}
