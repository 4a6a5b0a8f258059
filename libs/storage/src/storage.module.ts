import { Module } from '@nestjs/common';
import { AuditStore } from './audit/audit-store';
import { AuditVerifier } from './audit/audit-verifier';
import { RecordKeyRotator } from './maintenance/record-key-rotator';
import { TenantMigrator } from './maintenance/tenant-migrator';
import { PatientRepository } from './patient-repository';
import { createStorageBackend, STORAGE_BACKEND, type StorageBackend } from './storage-backend';
import { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } from './storage.module-definition';

/**
 * Provides the storage ports (PatientRepository, RecordKeyRotator, TenantMigrator, AuditStore,
 * AuditVerifier) backed by the configured driver, which connects and closes in its own lifecycle hooks.
 */
@Module({
  providers: [
    { provide: STORAGE_BACKEND, inject: [MODULE_OPTIONS_TOKEN], useFactory: createStorageBackend },
    {
      provide: PatientRepository,
      inject: [STORAGE_BACKEND],
      useFactory: (backend: StorageBackend) => backend.repository,
    },
    {
      provide: RecordKeyRotator,
      inject: [STORAGE_BACKEND],
      useFactory: (backend: StorageBackend) => backend.rotator,
    },
    {
      provide: TenantMigrator,
      inject: [STORAGE_BACKEND],
      useFactory: (backend: StorageBackend) => backend.migrator,
    },
    {
      provide: AuditStore,
      inject: [STORAGE_BACKEND],
      useFactory: (backend: StorageBackend) => backend.audit,
    },
    {
      provide: AuditVerifier,
      inject: [STORAGE_BACKEND],
      useFactory: (backend: StorageBackend) => backend.verifier,
    },
  ],
  exports: [PatientRepository, RecordKeyRotator, TenantMigrator, AuditStore, AuditVerifier],
})
export class StorageModule extends ConfigurableModuleClass {}
