import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';

const MINUTE_MS = 60_000;

/**
 * Rate limiting (in memory, per replica: a limit per client per process). The throttler is named
 * `default` so its headers are the standard ones (Retry-After, not Retry-After-<name>).
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ name: 'default', ttl: MINUTE_MS, limit: config.http.rateLimitPerMinute }],
        skipIf: () => config.http.rateLimitPerMinute === 0,
      }),
    }),
  ],
})
export class SecurityModule {}
