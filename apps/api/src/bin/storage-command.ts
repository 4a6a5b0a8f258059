import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SecretError, SecretSource, SecretsModule } from '@app/secrets';
import { StorageModule } from '@app/storage';
import { Presets, SingleBar } from 'cli-progress';
import { AppConfig, ConfigError, loadConfig } from '../config/app-config';
import {
  type Environment,
  secretsModuleOptions,
  storageModuleOptions,
} from '../config/module-options';

/**
 * What the storage commands (`keys:rotate`, `tenants:migrate`, `audit:verify`) need, and nothing of the HTTP
 * application: the secret source (Redis client certificate, record keys) and storage.
 */
@Module({})
export class StorageCommandModule {
  static forRoot(config: AppConfig, environment: Environment): DynamicModule {
    return {
      module: StorageCommandModule,
      imports: [
        SecretsModule.forRoot(secretsModuleOptions(config, environment)),
        StorageModule.forRootAsync({
          inject: [SecretSource],
          useFactory: (secrets: SecretSource) => storageModuleOptions(config, secrets),
        }),
      ],
    };
  }
}

/**
 * Runs a storage command with the server's configuration (environment) against Redis: reads its
 * arguments (`parse` throws ConfigError for bad ones), boots the small module, hands its context
 * to `work`, exits with `work`'s code. A bad argument, configuration or secret prints one line;
 * anything else its stack.
 */
export function runStorageCommand<A>(
  name: string,
  parse: () => A,
  work: (app: INestApplicationContext, args: A) => Promise<number>,
): void {
  const main = async (): Promise<number> => {
    const args = parse();
    const config = loadConfig(process.env);
    if (config.storage.driver !== 'redis') {
      throw new ConfigError(
        `${name} needs STORAGE_DRIVER=redis (in-memory records live and die with one process)`,
      );
    }
    const app = await NestFactory.createApplicationContext(
      StorageCommandModule.forRoot(config, process.env),
      {
        logger: ['error'],
        abortOnError: false,
      },
    );
    try {
      return await work(app, args);
    } finally {
      await app.close();
    }
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const known = error instanceof ConfigError || error instanceof SecretError;
      const text = known ? (error as Error).message : ((error as Error).stack ?? String(error));
      console.error(`${name}: ${text}`);
      process.exit(1);
    },
  );
}

/** A progress bar on stderr (a line every 200 ms when stderr is not a terminal). */
export function progressBar(format: string): SingleBar {
  return new SingleBar(
    { format, noTTYOutput: true, notTTYSchedule: 200, stream: process.stderr },
    Presets.shades_classic,
  );
}

/** Shows `value/total` with a payload, starting the bar on the first report. */
export function reporter<P extends { total: number; seen: number }>(
  bar: SingleBar,
  payload: (progress: P) => Record<string, unknown>,
): (progress: P) => void {
  let started = false;
  return (progress) => {
    if (!started) bar.start(progress.total, progress.seen, payload(progress));
    else {
      bar.setTotal(progress.total);
      bar.update(progress.seen, payload(progress));
    }
    started = true;
  };
}
