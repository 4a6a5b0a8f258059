import type { HttpsClient } from '@test/support/https-client';
import { rm } from 'node:fs/promises';
import { startTestApi, type TestApi } from '@test/support/api';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import { redisEnv, startRedisFor } from '@test/support/redis-fixture';
import type { TestRedisServer } from '@test/support/redis-server';
import { seedWith } from '@test/support/seed';
import { eventually, opsEnv, sleep } from './ops-support';

type Phase = 'before' | 'outage' | 'after';

interface Attempt {
  id: string;
  /** When the request was sent and answered, relative to the crash; `straddle` if they differ. */
  phase: Phase | 'straddle';
  status: number;
  retryAfter?: string;
}

/** Longest a call may take: well above REDIS_COMMAND_TIMEOUT_MS, far below "hung". */
const CLIENT_TIMEOUT_MS = 5000;

describe('Redis killed (SIGKILL) under a write load, restarted from its append-only file', () => {
  let secrets: DevSecrets;
  let redis: TestRedisServer;
  let api: TestApi;
  let client: HttpsClient;

  beforeAll(async () => {
    secrets = await makeDevSecrets();
    // appendonly yes, appendfsync always: what docker/redis/redis.conf uses.
    redis = await startRedisFor(secrets, { appendonly: true });
    api = await startTestApi(secrets, {
      ...opsEnv(secrets),
      ...redisEnv(redis),
      REDIS_COMMAND_TIMEOUT_MS: '1000',
    });
    client = api.client;
  });

  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
    await rm(secrets.stateDir, { recursive: true, force: true });
  });

  it('keeps every record whose create answered 200, answers 503 during the outage, and recovers by itself', async () => {
    let phase: Phase = 'before';
    let running = true;
    const attempts: Attempt[] = [];
    const count = (p: Phase, status: number) =>
      attempts.filter((a) => a.phase === p && a.status === status).length;

    // Each worker creates records one after another; a call that hangs past the client timeout
    // rejects, and so fails the test.
    const worker = async (w: number) => {
      for (let n = 0; running; n++) {
        const id = `crash-w${w}-n${n}`;
        const sentIn = phase;
        const res = await client.post(`/patient/${id}`, {
          form: seedWith({ lname: `W${w}N${n}` }),
          timeoutMs: CLIENT_TIMEOUT_MS,
        });
        attempts.push({
          id,
          // A request that straddles the crash or the restart belongs to neither side.
          phase: sentIn === phase ? sentIn : 'straddle',
          status: res.status,
          retryAfter: res.headers['retry-after'],
        });
        if (res.status !== 200) await sleep(20);
      }
    };
    const load = Promise.all([0, 1, 2, 3, 4, 5].map(worker));

    try {
      await eventually(
        async () => count('before', 200),
        (n) => n >= 60,
        30000,
        20,
      );
      await redis.kill();
      phase = 'outage';
      await eventually(
        async () => count('outage', 503),
        (n) => n >= 12,
        30000,
        20,
      );
      phase = 'after';
      await redis.start();
      await eventually(
        async () => count('after', 200),
        (n) => n >= 30,
        30000,
        20,
      );
    } finally {
      running = false;
      await load;
    }

    expect(count('before', 200)).toBeGreaterThanOrEqual(60);
    expect(count('after', 200)).toBeGreaterThanOrEqual(30);

    // While Redis was dead, every answer was a 503 with Retry-After, none a hang or a crash.
    const outage = attempts.filter((a) => a.phase === 'outage');
    expect(outage.length).toBeGreaterThanOrEqual(12);
    expect(outage.filter((a) => a.status !== 503)).toEqual([]);
    expect(outage.every((a) => a.retryAfter === '2')).toBe(true);
    // Outside the outage: 200, or 503 for a call that met the crash or the reconnect.
    expect(attempts.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);

    // Every acknowledged create survived the crash, with its own content.
    const acknowledged = attempts.filter((a) => a.status === 200);
    const reads = await Promise.all(
      acknowledged.map(async ({ id }) => ({ id, res: await client.get(`/patient/${id}`) })),
    );
    const lost = reads.filter(({ res }) => res.status !== 200).map(({ id }) => id);
    expect(lost).toEqual([]);
    for (const { id, res } of reads) {
      const [, w, n] = /^crash-w(\d+)-n(\d+)$/.exec(id) ?? [];
      expect(res.json()).toMatchObject({ id, lname: `W${w}N${n}` });
    }

    // A create that answered 503 may or may not have happened, but never holds wrong data.
    for (const { id } of attempts.filter((a) => a.status !== 200)) {
      const res = await client.get(`/patient/${id}`);
      expect([200, 404]).toContain(res.status);
      if (res.status === 200) expect(res.json().id).toBe(id);
    }
  });
});
