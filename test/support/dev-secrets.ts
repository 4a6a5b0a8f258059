import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevSecretSource } from '@app/secrets';

/** A dev secrets folder made for this run: API and Redis PKI, record key, token key. */
export interface DevSecrets {
  stateDir: string;
  secretsDir: string;
  apiCa: string;
  source: DevSecretSource;
}

export async function makeDevSecrets(): Promise<DevSecrets> {
  const stateDir = await mkdtemp(join(tmpdir(), 'patient-api-state-'));
  const source = await DevSecretSource.open(stateDir);
  return {
    stateDir,
    secretsDir: source.secretsDir,
    apiCa: await readFile(source.apiCaPath, 'utf8'),
    source,
  };
}
