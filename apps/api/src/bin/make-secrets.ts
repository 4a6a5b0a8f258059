import { DEV_FILES, DevSecretSource, SECRET_FILES } from '@app/secrets';
import { access, chmod, chown, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `usage: node dist/apps/api/make-secrets.js <state-dir>
         [--api-dir DIR [--api-owner UID:GID]] [--redis-dir DIR [--redis-owner UID:GID]]

Makes the TLS material for a local run outside SGX, where SCONE CAS is not there to make it: a dev
PKI in <state-dir>/secrets/ (made once, reused later), then copies for each consumer:
  --api-dir    what SECRETS_SOURCE=files reads (API TLS, Redis client TLS, record key, JWKS)
  --redis-dir  what redis-server reads (its certificate and key, the CA of its clients)
An owner makes the copies belong to the user the consumer runs as (needs root).`;

/** The files each consumer reads, and nothing more: Redis never sees the API's keys. */
const API_FILES = [
  SECRET_FILES.apiCert,
  SECRET_FILES.apiKey,
  SECRET_FILES.apiCa,
  SECRET_FILES.redisCa,
  SECRET_FILES.redisCert,
  SECRET_FILES.redisKey,
  SECRET_FILES.recordKey,
  SECRET_FILES.auditKey,
  SECRET_FILES.jwtJwks,
];
const REDIS_FILES = [DEV_FILES.redisServerCert, DEV_FILES.redisServerKey, SECRET_FILES.redisCa];
const PRIVATE = new Set<string>([
  SECRET_FILES.apiKey,
  SECRET_FILES.redisKey,
  SECRET_FILES.recordKey,
  SECRET_FILES.auditKey,
  DEV_FILES.redisServerKey,
]);

interface Owner {
  uid: number;
  gid: number;
}

class UsageError extends Error {}

function parseOwner(value: string | undefined, flag: string): Owner | null {
  if (value === undefined) return null;
  const match = /^(\d+):(\d+)$/.exec(value);
  if (!match) throw new UsageError(`${flag} must be UID:GID (numbers), got "${value}"`);
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies `names` from the dev PKI into `dir`, readable by `owner` alone: keys 0400, the rest
 * 0444. Each file is written beside its target and renamed, so a consumer starting at the same
 * moment never reads half a key.
 */
async function copyFor(
  source: string,
  dir: string,
  names: readonly string[],
  owner: Owner | null,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of names) {
    const scratch = join(dir, `.${name}.tmp`);
    await writeFile(scratch, await readFile(join(source, name)), { mode: 0o600 });
    if (owner) await chown(scratch, owner.uid, owner.gid);
    await chmod(scratch, PRIVATE.has(name) ? 0o400 : 0o444);
    await rename(scratch, join(dir, name));
  }
  if (owner) await chown(dir, owner.uid, owner.gid);
  await chmod(dir, 0o700);
  const who = owner ? ` (owner ${owner.uid}:${owner.gid})` : '';
  console.log(`make-secrets: ${dir}${who}: ${names.join(' ')}`);
}

/** The one-shot "make the TLS material" service of docker/compose.yml; prints names, never keys. */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'api-dir': { type: 'string' },
      'api-owner': { type: 'string' },
      'redis-dir': { type: 'string' },
      'redis-owner': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one <state-dir>');
  const apiOwner = parseOwner(values['api-owner'], '--api-owner');
  const redisOwner = parseOwner(values['redis-owner'], '--redis-owner');

  const stateDir = positionals[0];
  const reused = await exists(join(stateDir, 'secrets', SECRET_FILES.apiCa));
  const source = await DevSecretSource.open(stateDir);
  console.log(`make-secrets: dev PKI in ${source.secretsDir} (${reused ? 'reused' : 'made now'})`);

  if (values['api-dir']) await copyFor(source.secretsDir, values['api-dir'], API_FILES, apiOwner);
  if (values['redis-dir']) {
    await copyFor(source.secretsDir, values['redis-dir'], REDIS_FILES, redisOwner);
  }
}

main().catch((error: unknown) => {
  if (
    error instanceof UsageError ||
    String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')
  ) {
    console.error(`make-secrets: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`make-secrets failed: ${(error as Error).message}`);
  process.exit(1);
});
