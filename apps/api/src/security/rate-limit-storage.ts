import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { createRedisClient, type RedisConnectionOptions } from '@app/storage';

type Hits = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Where request counts live: in Redis when records do (so replicas share one budget per client),
 * through @nest-lab/throttler-storage-redis; in memory otherwise. While Redis cannot count, the
 * limit is not applied (said once per outage): the records behind it answer 503 anyway, and a
 * health probe must not turn into a 500.
 */
export class RateLimitStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private failing = false;

  private constructor(
    private readonly counts: ThrottlerStorage,
    private readonly close: () => Promise<void>,
  ) {}

  static inMemory(): RateLimitStorage {
    const counts = new ThrottlerStorageService();
    return new RateLimitStorage(counts, () => {
      counts.onApplicationShutdown();
      return Promise.resolve();
    });
  }

  static inRedis(options: RedisConnectionOptions): RateLimitStorage {
    const client = createRedisClient(options);
    // Its outages are the records' outages, which storage logs; a failed count says so itself.
    client.on('error', () => undefined);
    // A client of its own, so counting never waits behind record traffic or WAIT.
    void client.connect().catch(() => undefined);
    // Typed against ioredis 5; the same client class at run time (it checks with instanceof).
    const redis = client as unknown as ConstructorParameters<
      typeof ThrottlerStorageRedisService
    >[0];
    // Counts need no goodbye: disconnect at once, even from a Redis that hangs.
    return new RateLimitStorage(new ThrottlerStorageRedisService(redis), () => {
      client.disconnect();
      return Promise.resolve();
    });
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<Hits> {
    try {
      const hits = await this.counts.increment(key, ttl, limit, blockDuration, throttlerName);
      if (this.failing) this.logger.log('rate limits are counted again');
      this.failing = false;
      return hits;
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(`rate limits cannot be counted, not applied: ${(error as Error).message}`);
      }
      this.failing = true;
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
