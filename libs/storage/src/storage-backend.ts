import type { AuditStore } from './audit/audit-store';
import type { AuditVerifier } from './audit/audit-verifier';
import { AesGcmRecordCipher } from './crypto/aes-gcm-record-cipher';
import type { RecordKeyRotator } from './maintenance/record-key-rotator';
import type { TenantMigrator } from './maintenance/tenant-migrator';
import { MemoryStorage } from './memory/memory-storage';
import type { PatientRepository } from './patient-repository';
import { RedisStorage } from './redis/redis-storage';
import type { StorageModuleOptions } from './storage.module-definition';

/**
 * The adapters of one driver, built together so that they share its connection; the driver
 * object itself takes part in the application's lifecycle (connect, close).
 */
export interface StorageBackend {
  readonly repository: PatientRepository;
  readonly rotator: RecordKeyRotator;
  readonly migrator: TenantMigrator;
  readonly audit: AuditStore;
  readonly verifier: AuditVerifier;
}

/** DI token of the configured driver (internal to StorageModule). */
export const STORAGE_BACKEND = Symbol('STORAGE_BACKEND');

/** One driver per backend, chosen from validated configuration. */
export function createStorageBackend(options: StorageModuleOptions): StorageBackend {
  const cipher = new AesGcmRecordCipher(options.keyRing);
  if (options.auditKey.length !== 32) throw new RangeError('the audit key must be 32 bytes');
  switch (options.driver) {
    case 'memory':
      return new MemoryStorage(cipher, options.auditKey);
    case 'redis':
      return new RedisStorage(options, cipher, options.auditKey);
  }
}
