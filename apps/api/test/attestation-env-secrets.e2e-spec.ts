import { randomBytes } from 'node:crypto';
import { EnvSecretSource, SecretError, SecretSource } from '@app/secrets';
import { secretsAsEnv } from '@test/support/dev-secrets';
import { SEED_FORM_BODY } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';

/**
 * SECRETS_SOURCE=env: the secrets a CAS policy puts in `environment:` with `$$SCONE::...$$`
 * placeholders, replaced by the SCONE runtime. Here the variables hold what the runtime would
 * have put there; the API serves TLS and reaches Redis over mutual TLS with them.
 */
describe('SECRETS_SOURCE=env', () => {
  const variables = useTestApi({
    redis: true,
    start: false,
    env: ({ secrets }) => secretsAsEnv(secrets),
  });

  it('serves the original calls with the secrets from the environment', async () => {
    const api = await variables.start();
    expect(api.api.app.get(SecretSource)).toBeInstanceOf(EnvSecretSource);
    const created = await api.client.post('/patient/env_1', { form: SEED_FORM_BODY });
    expect(created.status).toBe(200);
    expect((await api.client.get('/patient/env_1')).json().fname).toBe('Jane');
    const evidence = await api.client.get(`/attestation?nonce=${randomBytes(16).toString('hex')}`);
    expect(evidence.json().apiCertificate.issuerSha256).toBeDefined();
  });

  it('stops boot when the CAS policy was not applied', async () => {
    await expect(variables.start({ API_TLS_KEY: '$$SCONE::api_key$$' })).rejects.toThrow(
      new SecretError(
        'API_TLS_KEY still holds a $$SCONE::...$$ placeholder: the CAS policy was not applied ' +
          '(is the service running under SCONE, attested, with SCONE_CONFIG_ID set?)',
      ),
    );
  });

  it('stops boot naming a missing variable', async () => {
    await expect(variables.start(({ REDIS_TLS_CERT: _omitted, ...rest }) => rest)).rejects.toThrow(
      new SecretError('REDIS_TLS_CERT is not set (SECRETS_SOURCE=env)'),
    );
  });
});
