import { Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
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

/**
 * Opens the Redis connection once the whole application is wired, not while providers are still
 * being built: if wiring fails half-way (a bad secret, say), no connection is left open.
 */
@Injectable()
class StorageConnector implements OnModuleInit {
  constructor(
    private readonly repository: PatientRepository,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: StorageModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!(this.repository instanceof RedisPatientRepository)) return;
    const connected = await this.repository.connect(this.options.connectWaitMs ?? 3000);
    if (!connected)
      new Logger('Storage').warn('redis is not reachable yet; retrying in the background');
  }
}

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
    StorageConnector,
  ],
  exports: [PatientRepository, RecordCipher],
})
export class StorageModule extends ConfigurableModuleClass {}

function createPatientRepository(
  options: StorageModuleOptions,
  codec: RecordCodec,
): PatientRepository {
  const logger = new Logger('Storage');
  if (options.driver === 'memory') {
    logger.warn('in-memory storage: nothing is persisted; records are lost when the process stops');
    return new MemoryPatientRepository(codec);
  }
  if (!options.redis) throw new Error('the redis driver needs connection options');
  // lazyConnect: no socket until StorageConnector runs.
  return new RedisPatientRepository(createRedisClient(options.redis), codec, {
    observer: options.redisObserver,
    waitReplicas: options.redis.waitReplicas,
    // Well within the command timeout, so WAIT answers before the client gives up on it.
    waitTimeoutMs: Math.max(50, Math.floor(options.redis.commandTimeoutMs / 2)),
  });
}
