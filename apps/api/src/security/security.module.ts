import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { SecretSource } from '@app/secrets';
import { AppConfig } from '../config/app-config';
import { redisConnectionOptions } from '../config/module-options';
import { RateLimitStorage } from './rate-limit-storage';

const MINUTE_MS = 60_000;

/** Where the counts live (a provider, so that its Redis connection is closed at shutdown). */
@Module({
  providers: [
    {
      provide: RateLimitStorage,
      inject: [AppConfig, SecretSource],
      useFactory: async (config: AppConfig, secrets: SecretSource) =>
        config.storage.driver === 'redis'
          ? RateLimitStorage.inRedis(await redisConnectionOptions(config, secrets))
          : RateLimitStorage.inMemory(),
    },
  ],
  exports: [RateLimitStorage],
})
class RateLimitStorageModule {}

/**
 * Rate limiting: one budget per client across all routes, public ones included (per token
 * subject and clinic for authenticated calls, per address otherwise), counted in Redis when
 * records are, so replicas share it. The throttler is named `default` so its headers are the
 * standard ones (Retry-After, not Retry-After-<name>).
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [AppConfig, RateLimitStorage],
      useFactory: (config: AppConfig, storage: RateLimitStorage) => ({
        throttlers: [{ name: 'default', ttl: MINUTE_MS, limit: config.http.rateLimitPerMinute }],
        skipIf: () => config.http.rateLimitPerMinute === 0,
        storage,
      }),
    }),
  ],
})
export class SecurityModule {}
