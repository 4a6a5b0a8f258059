import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { createRedisClient, type RedisClient, type RedisConnectionOptions } from '@app/storage';

type Hits = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const COUNT_COMMAND = 'rateLimitCount';

/**
 * @nest-lab/throttler-storage-redis sends its Lua script with EVAL on every count
 * (`call('eval', script, …)`): some 700 bytes per request to build, encrypt and send, and for
 * Redis to parse and hash. Its calls with that script go through a command defined with ioredis's
 * defineCommand instead: a connection is sent the script once, then EVALSHA (and the script again
 * only if Redis answers NOSCRIPT, after a restart). Replies are the same, so the library's own
 * checks of them stay.
 */
function sendScriptOnce(client: RedisClient, script: string): void {
  client.defineCommand(COUNT_COMMAND, { lua: script });
  const commands = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const count = commands[COUNT_COMMAND].bind(client);
  const call = client.call.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const calls = (command: unknown, ...args: unknown[]) =>
    command === 'eval' && args[0] === script ? count(...args.slice(1)) : call(command, ...args);
  client.call = calls;
}

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
    const counts = new ThrottlerStorageRedisService(redis);
    sendScriptOnce(client, counts.scriptSrc);
    // Counts need no goodbye: disconnect at once, even from a Redis that hangs.
    return new RateLimitStorage(counts, () => {
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
