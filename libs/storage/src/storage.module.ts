import { Logger, Module } from '@nestjs/common';
import { AesGcmRecordCipher } from './crypto/aes-gcm-record-cipher';
import { RecordCipher } from './crypto/record-cipher';
import { RecordCodec } from './crypto/record-codec';
import { MemoryPatientRepository } from './memory/memory-patient-repository';
import { PatientRepository } from './patient-repository';
import { createRedisClient } from './redis/create-redis-client';
import { RedisPatientRepository } from './redis/redis-patient-repository';
import {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN,
  StorageModuleOptions,
} from './storage.module-definition';

/** Provides PatientRepository (the port) backed by the configured driver, and RecordCipher. */
@Module({
  providers: [
    {
      provide: RecordCipher,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: StorageModuleOptions) => new AesGcmRecordCipher(options.keyRing),
    },
    {
      provide: PatientRepository,
      inject: [MODULE_OPTIONS_TOKEN, RecordCipher],
      useFactory: (options: StorageModuleOptions, cipher: RecordCipher) =>
        createPatientRepository(options, new RecordCodec(cipher)),
    },
  ],
  exports: [PatientRepository, RecordCipher],
})
export class StorageModule extends ConfigurableModuleClass {}

async function createPatientRepository(
  options: StorageModuleOptions,
  codec: RecordCodec,
): Promise<PatientRepository> {
  const logger = new Logger('Storage');
  if (options.driver === 'memory') {
    logger.warn('in-memory storage: nothing is persisted; records are lost when the process stops');
    return new MemoryPatientRepository(codec);
  }
  if (!options.redis) throw new Error('the redis driver needs connection options');
  const repository = new RedisPatientRepository(createRedisClient(options.redis), codec);
  const connected = await repository.connect(options.connectWaitMs ?? 3000);
  if (!connected) logger.warn('redis is not reachable yet; retrying in the background');
  return repository;
}
