import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditController } from './audit.controller';
import { AuditLog } from './audit-log';
import { AuditMaintenance } from './audit-maintenance';
import { AuditRoutes } from './audit-routes';
import { AuditTrail } from './audit-trail';

/**
 * The audit trail: recorded for every audited request, stored (AuditStore) before a record is
 * disclosed, anchored by checkpoints in the log, readable per patient and as a whole. Its
 * middleware is installed by setupApp, before anything can refuse a request.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [AuditController],
  providers: [AuditLog, AuditRoutes, AuditTrail, AuditMaintenance],
  exports: [AuditTrail],
})
export class AuditModule {}
