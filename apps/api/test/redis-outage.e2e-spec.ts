import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAuthority, SECRET_FILES } from '@app/secrets';
import { eventually } from '@test/support/eventually';
import { SEED_FIELDS } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';

describe('when Redis goes away', () => {
  const api = useTestApi({ redis: { appendonly: true } });

  it('answers 503 with Retry-After while Redis is down, does not crash, and recovers when it is back', async () => {
    expect((await api.client.post('/patient/before', { form: SEED_FIELDS })).status).toBe(200);

    await api.redis.stop();
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

    await api.redis.start();
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
  const api = useTestApi({
    redis: true,
    // The API is told to trust another CA: it must refuse to talk to this Redis.
    setup: async ({ secrets }) => {
      const impostorCa = await createAuthority('Some other CA');
      await writeFile(join(secrets.secretsDir, SECRET_FILES.redisCa), impostorCa.pair.cert);
    },
  });

  it('refuses to talk to it: every call is 503 and nothing reaches Redis', async () => {
    const res = await api.client.post('/patient/untrusted', { form: SEED_FIELDS });
    expect(res.status).toBe(503);
    expect((await api.client.get('/patient/untrusted')).status).toBe(503);
  });
});
