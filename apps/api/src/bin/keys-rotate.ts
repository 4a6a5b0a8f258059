import { RecordKeyRotator, type RotationProgress } from '@app/storage';
import { ConfigError } from '../config/app-config';
import { progressBar, reporter, runStorageCommand } from './storage-command';

/**
 * `npm run keys:rotate`: re-encrypts every record, of every tenant, under the active record key
 * (the first key of the ring the secret source gives), with the same configuration as the server.
 * Records are found by scanning the keyspace, not from the listing indexes. Safe to interrupt
 * and re-run: records are swapped one by one, atomically, and finished ones are skipped. Exits 0
 * only when a closing check finds every record under the active key.
 */
runStorageCommand('keys:rotate', noArguments, async (app) => {
  const rotator = app.get(RecordKeyRotator);
  const bar = progressBar(
    'rotating {bar} {value}/{total} records | {rotated} re-encrypted, {current} already current, {missing} gone',
  );
  const result = await rotator.rotate(
    reporter<RotationProgress>(bar, (p) => ({
      rotated: p.rotated,
      current: p.alreadyCurrent,
      missing: p.missing,
    })),
  );
  bar.stop();
  process.stdout.write(
    `done: ${result.seen} records, ${result.rotated} re-encrypted, ${result.alreadyCurrent} already current, ` +
      `${result.missing} gone\n`,
  );
  const problems: string[] = [];
  if (result.stale > 0) {
    problems.push(
      `${result.stale} records were sealed again with an old key during the run: is a server still ` +
        'running with the old key active? Update it and run keys:rotate again',
    );
  }
  if (result.unreadable.length > 0) {
    const names = result.unreadable.map(({ tenant, id }) => `${tenant}/${id}`).join(', ');
    problems.push(
      `${result.unreadable.length} records fail their integrity check and were kept as they are: ${names}`,
    );
  }
  if (result.legacy > 0) {
    problems.push(
      `${result.legacy} records are still in the layout before tenants: run tenants:migrate (it re-encrypts them)`,
    );
  }
  if (problems.length === 0) {
    process.stdout.write(`every record is under the active key ${rotator.activeKeyId}\n`);
    return 0;
  }
  for (const problem of problems) process.stderr.write(`keys:rotate: ${problem}\n`);
  return 2;
});

function noArguments(): void {
  if (process.argv.length > 2) throw new ConfigError('keys:rotate takes no arguments');
}
