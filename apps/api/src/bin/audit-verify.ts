import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AuditVerifier, parseCheckpointLines, type AuditCheckpoint } from '@app/storage';
import { ConfigError } from '../config/app-config';
import { runStorageCommand } from './storage-command';

/**
 * `npm run audit:verify [-- --checkpoints FILE]`: reads the audit trail with the server's
 * configuration and checks every tenant's chains (hash links, MACs, sequence numbers without
 * gaps, retention marks) and every live record against its last write event. With
 * `--checkpoints`, also holds each chain against the checkpoint lines of FILE (the service's log):
 * a truncated or rewritten chain no longer matches them. Exits 0 when everything verifies, 1
 * otherwise, naming each chain's first broken event and each record at fault.
 */
runStorageCommand('audit:verify', checkpointsArgument, async (app, file) => {
  const checkpoints = file === undefined ? [] : await readCheckpoints(file);
  const result = await app.get(AuditVerifier).verify({ checkpoints });
  process.stdout.write(
    `checked ${result.tenants} tenants: ${result.chains} chains, ${result.events} events, ` +
      `${result.records} records, ${result.checkpoints} checkpoints\n`,
  );
  for (const broken of result.chainBreaks) {
    const at = broken.eventId === undefined ? '' : ` (entry ${broken.eventId})`;
    process.stderr.write(
      `audit:verify: tenant ${broken.tenant}, chain ${broken.chain}, seq ${broken.seq}: ` +
        `${broken.kind}: ${broken.detail}${at}\n`,
    );
  }
  for (const finding of result.recordFindings) {
    process.stderr.write(
      `audit:verify: record ${finding.tenant}/${finding.id}: ${finding.kind}: ${finding.detail}\n`,
    );
  }
  if (!result.ok) return 1;
  process.stdout.write('the audit trail verifies\n');
  return 0;
});

function checkpointsArgument(): string | undefined {
  try {
    return parseArgs({ options: { checkpoints: { type: 'string' } } }).values.checkpoints;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

async function readCheckpoints(file: string): Promise<AuditCheckpoint[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `--checkpoints ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
  try {
    return parseCheckpointLines(text);
  } catch (error) {
    throw new ConfigError(`--checkpoints ${file}: ${(error as Error).message}`);
  }
}
