import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PatientRepository } from '@app/storage';
import { AppConfig } from '../config/app-config';

/** Storage answers a ping (through the PatientRepository port) within HEALTH_TIMEOUT_MS. */
@Injectable()
export class StorageHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly storage: PatientRepository,
    private readonly config: AppConfig,
  ) {}

  async isHealthy<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    const timeoutMs = this.config.health.timeoutMs;
    const outcome = await settleWithin(this.storage.ping(), timeoutMs);
    if (outcome === 'answered') return indicator.up();
    // The endpoint is public: say what is wrong in general terms, never the driver's error.
    return indicator.down({
      message:
        outcome === 'timeout' ? `no answer within ${timeoutMs} ms` : 'storage is unavailable',
    });
  }
}

async function settleWithin(
  work: Promise<unknown>,
  timeoutMs: number,
): Promise<'answered' | 'failed' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([
      work.then(
        () => 'answered' as const,
        () => 'failed' as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
