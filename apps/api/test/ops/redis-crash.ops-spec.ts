import { eventually } from '@test/support/eventually';
import { useApiProcess } from '@test/support/test-api';
import { lastNameFor } from './ops-support';
import { createLoad, indexCensus } from './storage-ops';

type Phase = 'before' | 'outage' | 'after';

describe('Redis killed (SIGKILL) under a write load, restarted from its append-only file', () => {
  // appendonly yes, appendfsync always: what docker/redis/redis.conf uses.
  const api = useApiProcess({
    redis: { appendonly: true },
    direct: true,
    env: { AUTH_MODE: 'none', REDIS_COMMAND_TIMEOUT_MS: '1000' },
  });

  it('keeps every record whose create answered 200 (listed), answers 503 during the outage, and recovers by itself', async () => {
    const load = createLoad<Phase>(api.client, 'crash', 'before');
    try {
      await eventually(
        async () => load.count('before', 200),
        (n) => n >= 60,
        30000,
        20,
      );
      await api.redis.kill();
      load.enter('outage');
      await eventually(
        async () => load.count('outage', 503),
        (n) => n >= 12,
        30000,
        20,
      );
      load.enter('after');
      await api.redis.start();
      await eventually(
        async () => load.count('after', 200),
        (n) => n >= 30,
        30000,
        20,
      );
    } finally {
      await load.stop();
    }
    const { attempts } = load;
    expect(load.count('before', 200)).toBeGreaterThanOrEqual(60);
    expect(load.count('after', 200)).toBeGreaterThanOrEqual(30);

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
      acknowledged.map(async ({ id }) => ({ id, res: await api.client.get(`/patient/${id}`) })),
    );
    expect(reads.filter(({ res }) => res.status !== 200).map(({ id }) => id)).toEqual([]);
    for (const { id, res } of reads)
      expect(res.json()).toMatchObject({ id, lname: lastNameFor(id) });

    // A create that answered 503 may or may not have happened, but never holds wrong data.
    for (const { id } of attempts.filter((a) => a.status !== 200)) {
      const res = await api.client.get(`/patient/${id}`);
      expect([200, 404]).toContain(res.status);
      if (res.status === 200) expect(res.json().id).toBe(id);
    }

    // The record and its index entry were written together: after the crash, the index lists
    // exactly the stored records (no orphan entry from a create cut short, none unlisted).
    const census = await eventually(
      () => indexCensus(api.direct).catch(() => null),
      (value) => value !== null,
    );
    console.info(
      `SIGKILL: ${attempts.length} creates, ${acknowledged.length} acknowledged, ` +
        `${census?.stored.length} stored, ${census?.unlisted.length} unlisted, ${census?.orphans.length} orphan index entries`,
    );
    expect(census && { unlisted: census.unlisted, orphans: census.orphans }).toEqual({
      unlisted: [],
      orphans: [],
    });
  });
});
