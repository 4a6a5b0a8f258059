import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAuthority } from '@app/secrets';
import { startTestApi, type TestApi } from '@test/support/api';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import { redisEnv, startRedisFor } from '@test/support/redis-fixture';
import type { TestRedisServer } from '@test/support/redis-server';
import { SEED_FIELDS } from '@test/support/seed';

async function eventually<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 15000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('when Redis goes away', () => {
  let secrets: DevSecrets;
  let redis: TestRedisServer;
  let api: TestApi;

  beforeAll(async () => {
    secrets = await makeDevSecrets();
    redis = await startRedisFor(secrets, { appendonly: true });
    api = await startTestApi(secrets, redisEnv(redis));
  });

  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
    await rm(secrets.stateDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while Redis is down, does not crash, and recovers when it is back', async () => {
    expect((await api.client.post('/patient/before', { form: SEED_FIELDS })).status).toBe(200);

    await redis.stop();
    for (const call of [
      () => api.client.get('/patient/before'),
      () => api.client.post('/patient/during', { form: SEED_FIELDS }),
      () => api.client.get('/score/before'),
    ]) {
      const res = await call();
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.json()).toMatchObject({ status: 503, title: 'Storage unavailable' });
      expect(res.text).not.toMatch(/ECONNREFUSED|ioredis|127\.0\.0\.1/);
    }

    await redis.start();
    const back = await eventually(
      () => api.client.get('/patient/before'),
      (r) => r.status === 200,
    );
    expect(back.status).toBe(200);
    expect(back.json().fname).toBe('Jane');
    // The write that got 503 was not applied behind the caller's back.
    expect((await api.client.get('/patient/during')).status).toBe(404);
    expect((await api.client.post('/patient/after', { form: SEED_FIELDS })).status).toBe(200);
  });
});

describe('a Redis whose certificate is not from the configured CA', () => {
  let secrets: DevSecrets;
  let redis: TestRedisServer;
  let api: TestApi;

  beforeAll(async () => {
    secrets = await makeDevSecrets();
    redis = await startRedisFor(secrets);
    // The API is told to trust another CA: it must refuse to talk to this Redis.
    const impostorCa = await createAuthority('Some other CA');
    await writeFile(join(secrets.secretsDir, 'redis-ca.crt'), impostorCa.pair.cert);
    api = await startTestApi(secrets, redisEnv(redis));
  });

  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
    await rm(secrets.stateDir, { recursive: true, force: true });
  });

  it('refuses to talk to it: every call is 503 and nothing reaches Redis', async () => {
    const res = await api.client.post('/patient/untrusted', { form: SEED_FIELDS });
    expect(res.status).toBe(503);
    expect((await api.client.get('/patient/untrusted')).status).toBe(503);
  });
});
