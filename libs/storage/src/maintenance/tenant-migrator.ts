export interface MigrationProgress {
  /** Records in the layout before tenants when the run started. */
  total: number;
  seen: number;
  /** Moved into the tenant, re-sealed. */
  migrated: number;
  /** Already copied by an interrupted run; the old copy is removed now. */
  resumed: number;
  /** Records erased between being found and being read. */
  missing: number;
  /** Entries of the old index without a record (a create that failed half-way), dropped. */
  orphansDropped: number;
  /**
   * Records left where they are: the tenant already holds a different record under the id
   * (`conflict`), or the old record fails its integrity check (`integrity`).
   */
  leftBehind: Array<{ id: string; reason: 'conflict' | 'integrity' }>;
}

/**
 * The tenant-migration port: moves the records stored before records had a tenant (no tenant in
 * their key, none in their authenticated data) into one tenant, re-sealed under the active key.
 * Each record moves on its own, so a run can be interrupted at any point and re-run.
 */
export abstract class TenantMigrator {
  abstract migrateLegacyRecords(
    tenant: string,
    onProgress?: (progress: MigrationProgress) => void,
  ): Promise<MigrationProgress>;
}
