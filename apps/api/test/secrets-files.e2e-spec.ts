import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretError } from '@app/secrets';
import { startTestApi, type TestApi } from '@test/support/api';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import { redisEnv, startRedisFor } from '@test/support/redis-fixture';
import type { TestRedisServer } from '@test/support/redis-server';
import { SEED_FORM_BODY } from '@test/support/seed';

/** The production path: SECRETS_SOURCE=files (as SCONE CAS injects them) with Redis over mTLS. */
describe('SECRETS_SOURCE=files with STORAGE_DRIVER=redis', () => {
  let secrets: DevSecrets;
  let redis: TestRedisServer;
  let dir: string;

  beforeAll(async () => {
    secrets = await makeDevSecrets();
    redis = await startRedisFor(secrets);
    // Only the files the files source reads: what CAS injects, nothing of the dev CA's keys
    // (jwt-keys.json: the public keys that verify tokens).
    dir = await mkdtemp(join(tmpdir(), 'injected-'));
    for (const name of [
      'api.crt',
      'api.key',
      'redis-ca.crt',
      'redis-client.crt',
      'redis-client.key',
      'record-key',
      'jwt-keys.json',
    ]) {
      await cp(join(secrets.secretsDir, name), join(dir, name));
    }
  });

  afterAll(async () => {
    await redis?.stop();
    await rm(secrets.stateDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  const start = () =>
    startTestApi(secrets, { ...redisEnv(redis), SECRETS_SOURCE: 'files', SECRETS_DIR: dir });

  it('serves the original curl sequence with the injected certificates', async () => {
    const api: TestApi = await start();
    try {
      expect((await api.client.post('/patient/files_1', { form: SEED_FORM_BODY })).status).toBe(
        200,
      );
      expect((await api.client.get('/patient/files_1')).json().fname).toBe('Jane');
      expect((await api.client.get('/score/files_1')).json().cci).toBe(2);
    } finally {
      await api.stop();
    }
  });

  it('stops boot naming a missing file', async () => {
    await cp(join(dir, 'redis-client.key'), join(dir, 'redis-client.key.bak'));
    await unlink(join(dir, 'redis-client.key'));
    try {
      await expect(start()).rejects.toThrow(
        new SecretError(`${join(dir, 'redis-client.key')}: secret file missing`),
      );
    } finally {
      await cp(join(dir, 'redis-client.key.bak'), join(dir, 'redis-client.key'));
      await unlink(join(dir, 'redis-client.key.bak'));
    }
  });

  it('stops boot naming an unparsable certificate', async () => {
    const original = await readFile(join(dir, 'api.crt'));
    await writeFile(join(dir, 'api.crt'), 'not a certificate');
    try {
      await expect(start()).rejects.toThrow(`${join(dir, 'api.crt')}: no PEM certificate found`);
    } finally {
      await writeFile(join(dir, 'api.crt'), original);
    }
  });

  it('stops boot when a private key does not match its certificate', async () => {
    const original = await readFile(join(dir, 'api.key'));
    await cp(join(dir, 'redis-client.key'), join(dir, 'api.key'));
    try {
      await expect(start()).rejects.toThrow(
        /api\.key does not match the certificate in .*api\.crt/,
      );
    } finally {
      await writeFile(join(dir, 'api.key'), original);
    }
  });
});
