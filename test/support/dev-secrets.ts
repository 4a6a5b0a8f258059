import type { JsonWebKey } from 'node:crypto';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevSecretSource, SECRET_FILES } from '@app/secrets';

/** A dev secrets folder made for this run: API and Redis PKI, record key, token key. */
export interface DevSecrets {
  stateDir: string;
  secretsDir: string;
  apiCa: string;
  /** The private key that signs dev tokens, which the API trusts. */
  signingKey: JsonWebKey;
  source: DevSecretSource;
}

export async function makeDevSecrets(): Promise<DevSecrets> {
  const stateDir = await mkdtemp(join(tmpdir(), 'patient-api-state-'));
  const source = await DevSecretSource.open(stateDir);
  return {
    stateDir,
    secretsDir: source.secretsDir,
    apiCa: await readFile(source.apiCaPath, 'utf8'),
    signingKey: await source.jwtSigningKey(),
    source,
  };
}

/** One file of the secrets folder (a name from SECRET_FILES or DEV_FILES). */
export function readSecret(secrets: DevSecrets, name: string): Promise<string> {
  return readFile(join(secrets.secretsDir, name), 'utf8');
}

const { apiCert, apiKey, redisCa, redisCert, redisKey, recordKey, auditKey, jwtJwks } =
  SECRET_FILES;
/** The files the `files` source reads, as SCONE CAS injects them: none of the dev CAs' keys. */
export const INJECTED_FILES = [
  apiCert,
  apiKey,
  redisCa,
  redisCert,
  redisKey,
  recordKey,
  auditKey,
  jwtJwks,
];

/** Copies these files of the secrets folder into `dir`. */
export async function copySecrets(
  secrets: DevSecrets,
  dir: string,
  names: readonly string[] = INJECTED_FILES,
): Promise<void> {
  for (const name of names) await cp(join(secrets.secretsDir, name), join(dir, name));
}

/** The secrets as SECRETS_SOURCE=env takes them: what a CAS policy's `environment:` fills in. */
export async function secretsAsEnv(secrets: DevSecrets): Promise<Record<string, string>> {
  const read = (name: string) => readSecret(secrets, name);
  return {
    SECRETS_SOURCE: 'env',
    API_TLS_CERT: await read(SECRET_FILES.apiCert),
    API_TLS_KEY: await read(SECRET_FILES.apiKey),
    API_TLS_CA: await read(SECRET_FILES.apiCa),
    REDIS_TLS_CA: await read(SECRET_FILES.redisCa),
    REDIS_TLS_CERT: await read(SECRET_FILES.redisCert),
    REDIS_TLS_KEY: await read(SECRET_FILES.redisKey),
    RECORD_KEY: await read(SECRET_FILES.recordKey),
    AUDIT_KEY: await read(SECRET_FILES.auditKey),
    JWT_PUBLIC_KEYS: await read(SECRET_FILES.jwtJwks),
  };
}
