import { join } from 'node:path';
import { useTestApi } from '@test/support/test-api';

const OPERATIONS = ['/metrics', '/docs', '/openapi.json', '/openapi.yaml'];

describe('the management listener (development: operations stay on the API port too)', () => {
  const api = useTestApi({ env: { MANAGEMENT_PORT: '0' } });

  it('serves metrics, docs, the contract and health on both listeners', async () => {
    for (const path of [...OPERATIONS, '/health/live']) {
      expect({ path, status: (await api.anonymous.get(path)).status }).toEqual({
        path,
        status: 200,
      });
      expect({ path, status: (await api.management!.get(path)).status }).toEqual({
        path,
        status: 200,
      });
    }
  });

  it('serves no patient route on the management listener', async () => {
    const token = await api.token();
    for (const path of ['/patients', '/patient/p1', '/score/p1', '/attestation?nonce=00']) {
      const res = await api.management!.get(path, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
  });
});

describe('the management listener (production: operations only there)', () => {
  const api = useTestApi({
    redis: true,
    env: ({ secrets }) => ({
      NODE_ENV: 'production',
      SECRETS_SOURCE: 'files',
      SECRETS_DIR: join(secrets.stateDir, 'secrets'),
      STORAGE_DRIVER: 'redis',
      AUTH_ISSUER: 'urn:patient-api:dev',
      AUTH_AUDIENCE: 'patient-api',
      MANAGEMENT_PORT: '0',
    }),
  });

  it('answers 404 on the PHI port for metrics, docs and the contract', async () => {
    for (const path of OPERATIONS) {
      const res = await api.anonymous.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    expect((await api.anonymous.get('/health/ready')).status).toBe(200);
    expect((await api.client.get('/patient/nobody')).status).toBe(404);
  });

  it('serves them, and health, on the management listener', async () => {
    const metrics = await api.management!.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^# TYPE http_request_duration_seconds histogram/m);
    expect((await api.management!.get('/openapi.json')).json().openapi).toBe('3.0.3');
    expect((await api.management!.get('/health/ready')).status).toBe(200);
  });
});
