import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LegacyRecordCodec } from '../crypto/legacy-record-codec';
import { RecordCipher } from '../crypto/record-cipher';
import { RecordCodec } from '../crypto/record-codec';
import type { StorageBackend } from '../storage-backend';
import type { StorageModuleOptions } from '../storage.module-definition';
import { createRedisClient } from './create-redis-client';
import { ErasureCompactor } from './erasure-compactor';
import { RedisAuditStore, RedisAuditVerifier } from './redis-audit-store';
import { RedisConnection } from './redis-connection';
import { LEGACY_INDEX_KEY } from './redis-key-layout';
import { RedisPatientRepository } from './redis-patient.repository';
import { RedisRecordKeyRotator } from './redis-record-key-rotator';
import { RedisTenantMigrator } from './redis-tenant-migrator';

/** Default ERASURE_COMPACTION_S. */
const DEFAULT_COMPACTION_S = 300;

/**
 * The Redis driver: its adapters share one connection, opened once the whole application is
 * wired (not while providers are still being built, so a wiring failure leaves none open) and
 * closed last at shutdown, after the requests in flight.
 */
export class RedisStorage implements StorageBackend, OnModuleInit, OnApplicationShutdown {
  readonly repository: RedisPatientRepository;
  readonly rotator: RedisRecordKeyRotator;
  readonly migrator: RedisTenantMigrator;
  readonly audit: RedisAuditStore;
  readonly verifier: RedisAuditVerifier;
  private readonly connection: RedisConnection;
  private readonly compactor: ErasureCompactor;
  private readonly connectWaitMs: number;

  constructor(options: StorageModuleOptions, cipher: RecordCipher, auditKey: Buffer) {
    const redis = options.redis;
    if (!redis) throw new Error('the redis driver needs connection options');
    // lazyConnect: no socket until onModuleInit.
    this.connection = new RedisConnection(createRedisClient(redis), {
      observer: options.redisObserver,
      waitReplicas: redis.waitReplicas,
      // Well within the command timeout, so WAIT answers before the client gives up on it.
      waitTimeoutMs: Math.max(50, Math.floor(redis.commandTimeoutMs / 2)),
    });
    this.connectWaitMs = options.connectWaitMs ?? 3000;
    const compactionS = options.erasureCompactionSeconds ?? DEFAULT_COMPACTION_S;
    this.compactor = new ErasureCompactor(this.connection, compactionS * 1000);
    const codec = new RecordCodec(cipher);
    this.audit = new RedisAuditStore(this.connection, auditKey);
    this.verifier = new RedisAuditVerifier(this.audit, auditKey);
    this.repository = new RedisPatientRepository(
      this.connection,
      codec,
      this.compactor,
      this.audit,
    );
    this.rotator = new RedisRecordKeyRotator(this.connection, codec, this.repository);
    this.migrator = new RedisTenantMigrator(
      this.connection,
      codec,
      new LegacyRecordCodec(cipher),
      this.repository,
    );
  }

  async onModuleInit(): Promise<void> {
    const { connection } = this;
    if (!(await connection.connect(this.connectWaitMs))) {
      connection.logger.warn('redis is not reachable yet; retrying in the background');
      return;
    }
    const legacy = await connection.client.exists(LEGACY_INDEX_KEY).catch(() => 0);
    if (legacy > 0) {
      connection.logger.warn(
        'records stored before tenants (key patients:index) are not served: move them with ' +
          '`npm run tenants:migrate -- --tenant NAME`',
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.compactor.stop();
    await this.connection.close();
  }
}
