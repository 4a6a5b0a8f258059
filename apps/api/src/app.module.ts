import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { SecretSource, SecretsModule } from '@app/secrets';
import { StorageModule } from '@app/storage';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import {
  type Environment,
  secretsModuleOptions,
  storageModuleOptions,
} from './config/module-options';
import { HealthModule } from './health/health.module';
import { AppMetrics } from './metrics/app-metrics';
import { MetricsModule } from './metrics/metrics.module';
import { PatientsModule } from './patients/patients.module';
import { AttestationHttpModule } from './attestation/attestation-http.module';
import { AuditModule } from './audit/audit.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { ProblemFilter } from './common/problem/problem.filter';
import { createValidationPipe } from './common/validation/validation-pipe';
import { LoggingModule } from './logging/logging.module';
import { ScoresModule } from './scores/scores.module';
import { ClientThrottlerGuard } from './security/client-throttler.guard';
import { LifecycleModule } from './server/lifecycle.module';
import { SecurityModule } from './security/security.module';

export interface AppModuleOptions {
  /** Where logs go (default stdout); tests capture them here. */
  logDestination?: DestinationStream;
  /** The environment the `env` secret source reads (kept out of AppConfig: it holds keys). */
  environment?: Environment;
}

/**
 * Composes the application from validated configuration: its modules, and every global guard,
 * pipe and filter (the table of contents of what happens to a request).
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, options.logDestination),
        SecretsModule.forRoot(secretsModuleOptions(config, options.environment ?? {})),
        StorageModule.forRootAsync({
          isGlobal: true,
          imports: [MetricsModule],
          inject: [AppConfig, SecretSource, AppMetrics],
          useFactory: (config: AppConfig, secrets: SecretSource, metrics: AppMetrics) =>
            storageModuleOptions(config, secrets, metrics.redisObserver),
        }),
        LifecycleModule,
        MetricsModule,
        HealthModule,
        SecurityModule,
        AuthModule,
        AuditModule,
        PatientsModule,
        ScoresModule,
        AttestationHttpModule,
      ],
      // Every cross-cutting behaviour, in the order a request meets it.
      providers: [
        { provide: APP_GUARD, useClass: ClientThrottlerGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
