import { randomBytes } from 'node:crypto';
import { recordKey } from '@app/storage/redis/redis-key-layout';
import { eventually, sleep } from '@test/support/eventually';
import { useApiProcess } from '@test/support/test-api';
import { recordFor } from './ops-support';
import { DEMO_TENANT, foundOnDisk, persistenceInfo } from './storage-ops';

const COMPACTION_S = 2;

/** Issue 14 (4): after an erasure, nothing of the record stays in Redis's files. */
describe('erasure compaction (built process, Redis with appendonly yes)', () => {
  const api = useApiProcess({
    redis: { appendonly: true },
    direct: true,
    env: { AUTH_MODE: 'none', ERASURE_COMPACTION_S: String(COMPACTION_S) },
  });
  const rewrites = async () => Number((await persistenceInfo(api.direct)).aof_rewrites);
  const rewriting = async () => {
    const info = await persistenceInfo(api.direct);
    return info.aof_rewrite_in_progress === '1' || info.aof_rewrite_scheduled === '1';
  };

  /**
   * Creates records and returns, per id, what of it a search of the data folder looks for: its
   * key and its ciphertext. (The bare id stays, by design: the audit trail keeps who erased it.)
   */
  async function createRecords(ids: string[]): Promise<string[]> {
    const needles: string[] = [];
    for (const id of ids) {
      expect((await api.client.post(`/patient/${id}`, { form: recordFor(id) })).status).toBe(200);
      const envelope = JSON.parse((await api.direct.get(recordKey(DEMO_TENANT, id)))!) as {
        ct: string;
      };
      needles.push(recordKey(DEMO_TENANT, id), envelope.ct);
    }
    return needles;
  }

  it('leaves neither the record key nor the ciphertext in the data folder once the rewrite has run', async () => {
    const id = `erase-${randomBytes(6).toString('hex')}`;
    const needles = await createRecords([id]);
    // Control: the search finds what is there (appendfsync always wrote it).
    expect(await foundOnDisk(api.redis.dir, needles)).toEqual(needles);
    const before = await rewrites();

    expect((await api.client.delete(`/patient/${id}`)).status).toBe(204);
    const erasedAt = Date.now();
    // Erased from memory, still in the append-only file until the (debounced) rewrite.
    expect(await api.direct.exists(recordKey(DEMO_TENANT, id))).toBe(0);
    expect(await foundOnDisk(api.redis.dir, needles)).toEqual(needles);

    const left = await eventually(
      () => foundOnDisk(api.redis.dir, needles),
      (found) => found.length === 0,
      COMPACTION_S * 1000 + 15000,
      100,
    );
    console.info(
      `erasure compaction: gone from disk ${Date.now() - erasedAt} ms after the erasure ` +
        `(ERASURE_COMPACTION_S=${COMPACTION_S})`,
    );
    expect(left).toEqual([]);
    expect(await rewrites()).toBe(before + 1);
  });

  it('costs one rewrite for many erasures', async () => {
    const ids = Array.from(
      { length: 20 },
      (_, i) => `batch-${i}-${randomBytes(4).toString('hex')}`,
    );
    const needles = await createRecords(ids);
    await eventually(rewriting, (busy) => !busy);
    const before = await rewrites();

    const erased = await Promise.all(ids.map((id) => api.client.delete(`/patient/${id}`)));
    expect(erased.map((res) => res.status)).toEqual(ids.map(() => 204));
    await eventually(
      async () => (await rewrites()) > before && !(await rewriting()),
      Boolean,
      COMPACTION_S * 1000 + 15000,
    );
    // Long enough for a second rewrite, had the erasures each asked for one.
    await sleep(COMPACTION_S * 1000 + 1000);
    expect(await rewrites()).toBe(before + 1);
    expect(await foundOnDisk(api.redis.dir, needles)).toEqual([]);
  });
});

describe('erasure compaction pending at shutdown (built process)', () => {
  const api = useApiProcess({
    redis: { appendonly: true },
    direct: true,
    env: { AUTH_MODE: 'none', ERASURE_COMPACTION_S: '300' },
  });

  it('asks for the rewrite at once on SIGTERM instead of dropping it', async () => {
    const id = `erase-${randomBytes(6).toString('hex')}`;
    expect((await api.client.post(`/patient/${id}`, { form: recordFor(id) })).status).toBe(200);
    const before = Number((await persistenceInfo(api.direct)).aof_rewrites);
    expect((await api.client.delete(`/patient/${id}`)).status).toBe(204);
    await sleep(500);
    // The debounce has 300 s to go.
    expect(Number((await persistenceInfo(api.direct)).aof_rewrites)).toBe(before);
    const key = recordKey(DEMO_TENANT, id);
    expect(await foundOnDisk(api.redis.dir, [key])).toEqual([key]);

    api.process.signal('SIGTERM');
    expect(await api.process.waitForExit(15000)).toBe(0);
    const left = await eventually(
      () => foundOnDisk(api.redis.dir, [key]),
      (found) => found.length === 0,
    );
    expect(left).toEqual([]);
    expect(Number((await persistenceInfo(api.direct)).aof_rewrites)).toBe(before + 1);
  });
});
