import { Logger, type OnModuleInit } from '@nestjs/common';
import { RecordCipher } from '../crypto/record-cipher';
import { RecordCodec } from '../crypto/record-codec';
import { RecordKeyRotator, type RotationProgress } from '../maintenance/record-key-rotator';
import { TenantMigrator, type MigrationProgress } from '../maintenance/tenant-migrator';
import type { StorageBackend } from '../storage-backend';
import { MemoryPatientRepository, MemoryShelves } from './memory-patient-repository';

/** The memory driver: records live and die with this process. */
export class MemoryStorage implements StorageBackend, OnModuleInit {
  readonly repository: MemoryPatientRepository;
  readonly rotator: RecordKeyRotator;
  readonly migrator: TenantMigrator;

  constructor(cipher: RecordCipher) {
    const shelves = new MemoryShelves();
    const codec = new RecordCodec(cipher);
    this.repository = new MemoryPatientRepository(shelves, codec);
    this.rotator = new MemoryRecordKeyRotator(shelves, codec);
    this.migrator = new MemoryTenantMigrator();
  }

  onModuleInit(): void {
    new Logger('Storage').warn(
      'in-memory storage: nothing is persisted; records are lost when the process stops',
    );
  }
}

/** The key ring cannot change while a process runs, so this mostly counts; it is correct anyway. */
class MemoryRecordKeyRotator extends RecordKeyRotator {
  constructor(
    private readonly shelves: MemoryShelves,
    private readonly codec: RecordCodec,
  ) {
    super();
  }

  get activeKeyId(): string {
    return this.codec.activeKeyId;
  }

  rotate(onProgress: (progress: RotationProgress) => void = () => undefined) {
    const progress: RotationProgress = {
      total: 0,
      seen: 0,
      rotated: 0,
      alreadyCurrent: 0,
      missing: 0,
      legacy: 0,
      stale: 0,
      unreadable: [],
    };
    for (const [tenant, { values }] of this.shelves.entries()) {
      for (const [id, raw] of values) {
        progress.total++;
        progress.seen++;
        if (this.codec.keyIdOf(id, raw) === this.codec.activeKeyId) {
          progress.alreadyCurrent++;
          continue;
        }
        const { rev, doc } = this.codec.open(tenant, id, raw);
        values.set(id, this.codec.seal(tenant, id, rev, doc));
        progress.rotated++;
      }
    }
    onProgress(progress);
    return Promise.resolve(progress);
  }
}

/** Memory never held the layout before tenants: there is nothing to migrate. */
class MemoryTenantMigrator extends TenantMigrator {
  migrateLegacyRecords(
    _tenant: string,
    onProgress: (progress: MigrationProgress) => void = () => undefined,
  ): Promise<MigrationProgress> {
    const progress: MigrationProgress = {
      total: 0,
      seen: 0,
      migrated: 0,
      resumed: 0,
      missing: 0,
      orphansDropped: 0,
      leftBehind: [],
    };
    onProgress(progress);
    return Promise.resolve(progress);
  }
}
