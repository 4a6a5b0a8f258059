import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { SecretsHealthIndicator } from './secrets.health';
import { StorageHealthIndicator } from './storage.health';

/** /health/live and /health/ready. */
@Module({
  // HealthService logs readiness changes once; terminus would log every failed probe.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [HealthService, SecretsHealthIndicator, StorageHealthIndicator],
})
export class HealthModule {}
