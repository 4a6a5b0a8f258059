import { NestFactory } from '@nestjs/core';
import { SecretError } from '@app/secrets';
import {
  PatientRepository,
  RedisPatientRepository,
  rotateRecordKeys,
  type RotationProgress,
} from '@app/storage';
import { Presets, SingleBar } from 'cli-progress';
import { AppModule } from '../app.module';
import { ConfigError, loadConfig } from '../config/app-config';

/**
 * `npm run keys:rotate`: re-encrypts every record under the active record key (the first key of
 * the ring the secret source gives), with the same configuration as the server. Safe to
 * interrupt and re-run: records are swapped one by one, atomically, and finished ones are skipped.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (config.storage.driver !== 'redis') {
    throw new ConfigError(
      'keys:rotate needs STORAGE_DRIVER=redis (in-memory records live and die with one process)',
    );
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error'],
    abortOnError: false,
  });
  try {
    const repository = app.get(PatientRepository);
    if (!(repository instanceof RedisPatientRepository)) throw new Error('storage is not Redis');
    await repository.ping();

    const bar = new SingleBar(
      {
        format:
          'rotating {bar} {value}/{total} records | {rotated} re-encrypted, {current} already current, {missing} gone',
        noTTYOutput: true,
        notTTYSchedule: 200,
        stream: process.stderr,
      },
      Presets.shades_classic,
    );
    let started = false;
    const show = (p: RotationProgress) => {
      const payload = { rotated: p.rotated, current: p.alreadyCurrent, missing: p.missing };
      if (!started) bar.start(p.total, p.seen, payload);
      else {
        bar.setTotal(p.total);
        bar.update(p.seen, payload);
      }
      started = true;
    };
    const result = await rotateRecordKeys(repository, show);
    bar.stop();
    process.stdout.write(
      `done: ${result.seen} records, ${result.rotated} re-encrypted, ${result.alreadyCurrent} already current, ` +
        `${result.missing} gone\n`,
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof SecretError;
  console.error(
    `keys:rotate: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}`,
  );
  process.exit(1);
});
