import { DynamicModule, Module } from '@nestjs/common';
import { SecretSource, SecretsModule } from '@app/attestation';
import { StorageModule, type StorageModuleOptions } from '@app/storage';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { PatientsModule } from './patients/patients.module';

/** Composes the application from validated configuration; nothing else. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        SecretsModule.forRoot({
          isGlobal: true,
          source: config.secrets.source,
          secretsDir: config.secrets.dir,
          devStateDir: config.secrets.devStateDir,
        }),
        StorageModule.forRootAsync({
          isGlobal: true,
          inject: [AppConfig, SecretSource],
          useFactory: storageOptions,
        }),
        PatientsModule,
      ],
    };
  }
}

async function storageOptions(
  config: AppConfig,
  secrets: SecretSource,
): Promise<StorageModuleOptions> {
  const { storage } = config;
  const keyRing = await secrets.recordKeys();
  if (storage.driver === 'memory') return { driver: 'memory', keyRing };
  const tls = await secrets.redisTls();
  return {
    driver: 'redis',
    keyRing,
    connectWaitMs: storage.connectTimeoutMs,
    redis: {
      mode: storage.mode,
      host: storage.host,
      port: storage.port,
      nodes: storage.nodes,
      sentinelMaster: storage.sentinelMaster,
      tls: { ...tls, servername: storage.tlsServername },
      commandTimeoutMs: storage.commandTimeoutMs,
      connectTimeoutMs: storage.connectTimeoutMs,
    },
  };
}
