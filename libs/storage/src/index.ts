export * from './patient-repository';
export * from './storage-errors';
export { TENANT_PATTERN } from './tenant';
export * from './maintenance/record-key-rotator';
export * from './maintenance/tenant-migrator';
export * from './audit/audit-store';
export {
  AuditVerifier,
  parseCheckpointLines,
  type AuditChainBreak,
  type AuditChainBreakKind,
  type AuditCheckpoint,
  type AuditRecordFinding,
  type AuditRecordFindingKind,
  type AuditVerification,
  type AuditVerifyOptions,
} from './audit/audit-verifier';
export * from './storage.module';
export type { StorageModuleOptions } from './storage.module-definition';
export type { RedisAddress, RedisConnectionOptions } from './redis/redis-connection-options';
export type { RedisObserver } from './redis/watch-connection';
// The raw client, for tests and tools that look at what Redis holds.
export { createRedisClient, type RedisClient } from './redis/create-redis-client';
