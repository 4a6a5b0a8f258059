import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { Lifecycle } from '../server/lifecycle';
import { HealthIndicatorDto, HealthReportDto } from './health-report.dto';
import { SecretsHealthIndicator } from './secrets.health';
import { StorageHealthIndicator } from './storage.health';

/** Runs the liveness and readiness checks and says which way readiness last went. */
@Injectable()
export class HealthService {
  private readonly logger = new Logger('Health');
  private wasReady: boolean | null = null;

  constructor(
    private readonly health: HealthCheckService,
    private readonly lifecycle: Lifecycle,
    private readonly secrets: SecretsHealthIndicator,
    private readonly storage: StorageHealthIndicator,
  ) {}

  /** The process answers; nothing else is checked, so an outage elsewhere never restarts it. */
  live(): Promise<HealthReportDto> {
    return this.run([]);
  }

  /** Secrets loaded and storage answering; at once not ready once shutdown has begun. */
  async ready(): Promise<HealthReportDto> {
    if (this.lifecycle.shuttingDown) {
      return { status: 'shutting_down', info: {}, error: {}, details: {} };
    }
    const report = await this.run([
      () => this.secrets.isHealthy('secrets'),
      () => this.storage.isHealthy('storage'),
    ]);
    this.noteReadiness(report);
    return report;
  }

  private async run(indicators: HealthIndicatorFunction[]): Promise<HealthReportDto> {
    try {
      return toReport(await this.health.check(indicators));
    } catch (error) {
      // Terminus throws the report for a failed check; we answer it with a 503 ourselves.
      if (error instanceof ServiceUnavailableException) {
        return toReport(error.getResponse() as HealthCheckResult);
      }
      throw error;
    }
  }

  /** One log line per change, not one per probe. */
  private noteReadiness(report: HealthReportDto): void {
    const ready = report.status === 'ok';
    if (ready === this.wasReady) return;
    if (ready) this.logger.log('ready');
    else {
      const checks: Record<string, HealthIndicatorDto | undefined> = { ...report.error };
      const down = Object.entries(checks)
        .map(([name, check]) => `${name}: ${check?.message ?? 'down'}`)
        .join('; ');
      this.logger.warn(`not ready (${down})`);
    }
    this.wasReady = ready;
  }
}

function toReport(result: HealthCheckResult): HealthReportDto {
  return {
    status: result.status,
    info: result.info ?? {},
    error: result.error ?? {},
    details: result.details,
  };
}
