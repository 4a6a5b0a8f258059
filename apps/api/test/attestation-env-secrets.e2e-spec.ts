import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvSecretSource, SecretError, SecretSource } from '@app/secrets';
import { startTestApi } from '@test/support/api';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import { redisEnv, startRedisFor } from '@test/support/redis-fixture';
import type { TestRedisServer } from '@test/support/redis-server';
import { SEED_FORM_BODY } from '@test/support/seed';

/**
 * SECRETS_SOURCE=env: the secrets a CAS policy puts in `environment:` with `$$SCONE::...$$`
 * placeholders, replaced by the SCONE runtime. Here the variables hold what the runtime would
 * have put there; the API serves TLS and reaches Redis over mutual TLS with them.
 */
describe('SECRETS_SOURCE=env', () => {
  let secrets: DevSecrets;
  let redis: TestRedisServer;
  let variables: Record<string, string>;

  beforeAll(async () => {
    secrets = await makeDevSecrets();
    redis = await startRedisFor(secrets);
    const read = (name: string) => readFile(join(secrets.secretsDir, name), 'utf8');
    variables = {
      SECRETS_SOURCE: 'env',
      API_TLS_CERT: await read('api.crt'),
      API_TLS_KEY: await read('api.key'),
      API_TLS_CA: await read('api-ca.crt'),
      REDIS_TLS_CA: await read('redis-ca.crt'),
      REDIS_TLS_CERT: await read('redis-client.crt'),
      REDIS_TLS_KEY: await read('redis-client.key'),
      RECORD_KEY: await read('record-key'),
      JWT_PUBLIC_KEYS: await read('jwt-keys.json'),
      ...redisEnv(redis),
    };
  });

  afterAll(async () => {
    await redis?.stop();
    await rm(secrets.stateDir, { recursive: true, force: true });
  });

  it('serves the original calls with the secrets from the environment', async () => {
    const api = await startTestApi(secrets, variables);
    try {
      expect(api.api.app.get(SecretSource)).toBeInstanceOf(EnvSecretSource);
      const created = await api.client.post('/patient/env_1', { form: SEED_FORM_BODY });
      expect(created.status).toBe(200);
      expect((await api.client.get('/patient/env_1')).json().fname).toBe('Jane');
      const evidence = await api.client.get(
        `/attestation?nonce=${randomBytes(16).toString('hex')}`,
      );
      expect(evidence.json().apiCertificate.issuerSha256).toBeDefined();
    } finally {
      await api.stop();
    }
  });

  it('stops boot when the CAS policy was not applied', async () => {
    await expect(
      startTestApi(secrets, { ...variables, API_TLS_KEY: '$$SCONE::api_key$$' }),
    ).rejects.toThrow(
      new SecretError(
        'API_TLS_KEY still holds a $$SCONE::...$$ placeholder: the CAS policy was not applied ' +
          '(is the service running under SCONE, attested, with SCONE_CONFIG_ID set?)',
      ),
    );
  });

  it('stops boot naming a missing variable', async () => {
    const { REDIS_TLS_CERT: _omitted, ...rest } = variables;
    await expect(startTestApi(secrets, rest)).rejects.toThrow(
      new SecretError('REDIS_TLS_CERT is not set (SECRETS_SOURCE=env)'),
    );
  });
});
