import { indexKey, recordKey } from '@app/storage/redis/redis-key-layout';
import { eventually } from '@test/support/eventually';
import { useApiProcess } from '@test/support/test-api';
import { listAll, recordFor } from './ops-support';
import { createLoad, DEMO_TENANT, indexCensus, redisPid } from './storage-ops';

/** Issue 14 (2): a create and an erase change the record and its index entry in one step. */
describe('create and erase, atomic with the index (built process, real Redis)', () => {
  const api = useApiProcess({
    redis: { appendonly: true },
    direct: true,
    env: { AUTH_MODE: 'none', REDIS_COMMAND_TIMEOUT_MS: '1000' },
  });

  it('leaves the record absent and unlisted, or present and listed, after each of 200 rounds of concurrent POST and DELETE of one id', async () => {
    const id = 'contested';
    const broken: unknown[] = [];
    const ended = { present: 0, absent: 0 };
    for (let round = 0; round < 200; round++) {
      // Either request goes first, the other follows within a few hundred microseconds.
      const create = () => api.client.post(`/patient/${id}`, { form: recordFor(id) });
      const erase = () => api.client.delete(`/patient/${id}`);
      const [first, second] = round % 2 === 0 ? [create, erase] : [erase, create];
      const pending = first();
      await new Promise((go) => (round % 4 < 2 ? setImmediate(go) : go(undefined)));
      const [a, b] = await Promise.all([pending, second()]);
      const [created, erased] = round % 2 === 0 ? [a, b] : [b, a];
      const stored = (await api.direct.exists(recordKey(DEMO_TENANT, id))) === 1;
      const indexed = (await api.direct.zscore(indexKey(DEMO_TENANT), id)) !== null;
      const read = (await api.client.get(`/patient/${id}`)).status;
      const listed = (await listAll(api.client, 50)).includes(id);
      const statuses = [created.status, erased.status];
      if (indexed !== stored || listed !== stored || (read === 200) !== stored) {
        broken.push({ round, statuses, stored, indexed, listed, read });
      }
      ended[stored ? 'present' : 'absent']++;
      // Every round starts from an absent record.
      if (stored) expect((await api.client.delete(`/patient/${id}`)).status).toBe(204);
    }
    console.info(`200 race rounds: ${ended.present} ended present, ${ended.absent} absent`);
    expect(broken).toEqual([]);
  });

  it('holds exactly the stored records in the index after Redis is frozen (SIGSTOP) under a create load', async () => {
    const pid = await redisPid(api.direct);
    const load = createLoad<'before' | 'frozen' | 'after'>(api.client, 'frozen', 'before');
    try {
      await eventually(
        async () => load.count('before', 200),
        (n) => n >= 40,
        30000,
        20,
      );
      process.kill(pid, 'SIGSTOP');
      load.enter('frozen');
      try {
        // Calls time out (503) while their commands wait in the frozen server's socket.
        await eventually(
          async () => load.count('frozen', 503),
          (n) => n >= 12,
          30000,
          20,
        );
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      load.enter('after');
      await eventually(
        async () => load.count('after', 200),
        (n) => n >= 30,
        30000,
        20,
      );
    } finally {
      await load.stop();
    }
    expect(load.count('frozen', 503)).toBeGreaterThanOrEqual(12);
    expect(load.attempts.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);

    // Creates that answered 503 ran once Redis went on, or not at all: either way with their
    // index entry. Nothing is unlisted and nothing listed is missing.
    const census = await indexCensus(api.direct);
    const acknowledged = load.attempts.filter((a) => a.status === 200).map((a) => a.id);
    expect(acknowledged.filter((id) => !census.stored.includes(id))).toEqual([]);
    console.info(
      `SIGSTOP: ${load.attempts.length} creates, ${acknowledged.length} acknowledged, ` +
        `${census.stored.length} stored, ${census.unlisted.length} unlisted, ${census.orphans.length} orphan index entries`,
    );
    expect({ unlisted: census.unlisted, orphans: census.orphans }).toEqual({
      unlisted: [],
      orphans: [],
    });
  });
});
