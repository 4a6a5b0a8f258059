import { Logger, type OnModuleInit } from '@nestjs/common';
import { systemEvent } from '../audit/audit-trim';
import { TrailVerifier } from '../audit/audit-verifier';
import { RecordCipher } from '../crypto/record-cipher';
import { RecordCodec } from '../crypto/record-codec';
import { RecordKeyRotator, type RotationProgress } from '../maintenance/record-key-rotator';
import { TenantMigrator, type MigrationProgress } from '../maintenance/tenant-migrator';
import type { StorageBackend } from '../storage-backend';
import { MemoryAuditStore } from './memory-audit-store';
import { MemoryPatientRepository, MemoryShelves } from './memory-patient-repository';

/** The memory driver: records and their audit trail live and die with this process. */
export class MemoryStorage implements StorageBackend, OnModuleInit {
  readonly repository: MemoryPatientRepository;
  readonly rotator: RecordKeyRotator;
  readonly migrator: TenantMigrator;
  readonly audit: MemoryAuditStore;
  readonly verifier: TrailVerifier;

  constructor(cipher: RecordCipher, auditKey: Buffer) {
    const shelves = new MemoryShelves();
    const codec = new RecordCodec(cipher);
    this.audit = new MemoryAuditStore(shelves, auditKey);
    this.repository = new MemoryPatientRepository(shelves, codec, this.audit);
    this.rotator = new MemoryRecordKeyRotator(shelves, codec, this.repository);
    this.migrator = new MemoryTenantMigrator();
    this.verifier = new TrailVerifier(this.audit, auditKey);
  }

  onModuleInit(): void {
    new Logger('Storage').warn(
      'in-memory storage: nothing is persisted; records and the audit trail are lost when the ' +
        'process stops',
    );
  }
}

/** The key ring cannot change while a process runs, so this mostly counts; it is correct anyway. */
class MemoryRecordKeyRotator extends RecordKeyRotator {
  constructor(
    private readonly shelves: MemoryShelves,
    private readonly codec: RecordCodec,
    private readonly repository: MemoryPatientRepository,
  ) {
    super();
  }

  get activeKeyId(): string {
    return this.codec.activeKeyId;
  }

  async rotate(
    onProgress: (progress: RotationProgress) => void = () => undefined,
  ): Promise<RotationProgress> {
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
    const records = [...this.shelves.entries()].flatMap(([tenant, { values }]) =>
      [...values].map(([id, raw]) => ({ tenant, id, raw, values })),
    );
    progress.total = records.length;
    for (const { tenant, id, raw, values } of records) {
      progress.seen++;
      if (this.codec.keyIdOf(id, raw) === this.codec.activeKeyId) {
        progress.alreadyCurrent++;
        continue;
      }
      const { rev, doc } = this.codec.open(tenant, id, raw);
      const sealed = this.codec.seal(tenant, id, rev, doc);
      const event = systemEvent(tenant, id, 'record.rekey');
      const { applied } = await this.repository.change(tenant, id, sealed, event, () => {
        if (values.get(id) !== raw) return false;
        values.set(id, sealed);
        return true;
      });
      if (applied) progress.rotated++;
      else progress.missing++;
    }
    onProgress(progress);
    return progress;
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
