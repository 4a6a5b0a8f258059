import { parseArgs } from 'node:util';
import { TENANT_PATTERN, TenantMigrator, type MigrationProgress } from '@app/storage';
import { ConfigError } from '../config/app-config';
import { progressBar, reporter, runStorageCommand } from './storage-command';

/**
 * `npm run tenants:migrate -- --tenant NAME`: moves the records stored before records had a
 * tenant into tenant NAME, re-encrypted under the active key with the tenant in their
 * authenticated data. Records are found by scanning the keyspace. Safe to interrupt and re-run:
 * each record moves on its own, and moved ones are not found again.
 */
runStorageCommand('tenants:migrate', tenantArgument, async (app, tenant) => {
  const bar = progressBar(
    `moving into tenant ${tenant} {bar} {value}/{total} records | {migrated} moved, {resumed} resumed, {left} left behind`,
  );
  const result = await app.get(TenantMigrator).migrateLegacyRecords(
    tenant,
    reporter<MigrationProgress>(bar, (p) => ({
      migrated: p.migrated,
      resumed: p.resumed,
      left: p.leftBehind.length,
    })),
  );
  bar.stop();
  process.stdout.write(
    `done: ${result.seen} records, ${result.migrated} moved, ${result.resumed} resumed, ` +
      `${result.missing} gone, ${result.orphansDropped} orphan index entries dropped\n`,
  );
  if (result.leftBehind.length === 0) return 0;
  for (const { id, reason } of result.leftBehind) {
    const why =
      reason === 'conflict'
        ? `tenant ${tenant} already holds another record with this id`
        : 'it fails its integrity check';
    process.stderr.write(`tenants:migrate: ${id} left in the old layout: ${why}\n`);
  }
  return 2;
});

function tenantArgument(): string {
  let tenant: string | undefined;
  try {
    tenant = parseArgs({ options: { tenant: { type: 'string' } } }).values.tenant;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (!tenant || !TENANT_PATTERN.test(tenant)) {
    throw new ConfigError('--tenant NAME is required: letters, digits, _ . or -, 1 to 64');
  }
  return tenant;
}
