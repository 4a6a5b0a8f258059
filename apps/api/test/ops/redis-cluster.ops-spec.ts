import { eventually } from '@test/support/eventually';
import { TestRedisCluster } from '@test/support/redis-cluster';
import { useTestApi } from '@test/support/test-api';
import { exerciseEveryEndpoint, lastNameFor, listAll, recordFor } from './ops-support';

describe('a Redis Cluster of 3 masters and 3 replicas, over TLS', () => {
  const api = useTestApi({
    // The nodes announce names nobody can resolve (as behind NAT): the API reaches them through
    // REDIS_NAT_MAP, and verifies their certificates against REDIS_TLS_SERVERNAME.
    redis: ({ secrets }) => TestRedisCluster.start(secrets, { announceHostnames: true }),
  });
  let ids: string[];

  it('serves every endpoint, listing included, with the clinics spread over all masters', async () => {
    expect((await api.client.get('/health/ready')).status).toBe(200);
    ids = await exerciseEveryEndpoint(api.client, 'cl', 30);
    // A clinic is its records' hash tag: one clinic's records share a slot, clinics spread.
    const clinics = Array.from({ length: 9 }, (_, i) => `clinic-${i}`);
    for (const tenant of clinics) {
      const client = api.anonymous.with({
        authorization: `Bearer ${await api.token({ tenant })}`,
      });
      for (const id of ['sp-1', 'sp-2']) {
        expect((await client.post(`/patient/${id}`, { form: recordFor(id) })).status).toBe(200);
      }
    }
    const slotsOf = new Map<string, Set<number>>();

    const masters = (await api.redis.topology()).filter((node) => node.role === 'master');
    expect(masters).toHaveLength(3);
    const held = await Promise.all(
      masters.map(async (master) => {
        const node = await api.redis.nodeClient(master.port);
        try {
          const keys = await node.keys('patient:*');
          // Each key is where the cluster says its slot lives.
          const slots = await Promise.all(
            keys.map(async (key) => Number(await node.call('CLUSTER', 'KEYSLOT', key))),
          );
          keys.forEach((key, i) => {
            const tenant = /^patient:\{([^}]+)\}:/.exec(key)?.[1] ?? key;
            slotsOf.set(tenant, (slotsOf.get(tenant) ?? new Set()).add(slots[i]));
          });
          const owned = await Promise.all(
            slots.map(async (slot) => Number(await node.call('CLUSTER', 'COUNTKEYSINSLOT', slot))),
          );
          expect(owned.every((n) => n > 0)).toBe(true);
          return keys.length;
        } finally {
          node.disconnect();
        }
      }),
    );
    expect(held.every((n) => n > 0)).toBe(true);
    expect(held.reduce((a, b) => a + b, 0)).toBe(ids.length + clinics.length * 2);
    expect([...slotsOf.values()].map((slots) => slots.size)).toEqual(
      Array(clinics.length + 1).fill(1),
    );
  });

  it('serves every record again once a replica has taken over from a dead master, never wrong data', async () => {
    const before = await api.redis.topology();
    const victim = before.find((node) => node.role === 'master')!;
    const heir = before.find((node) => node.masterId === victim.id)!;
    await api.redis.node(victim.port).kill();

    const statuses = new Set<number>();
    const wrong: string[] = [];
    const readAll = async () => {
      const reads = await Promise.all(
        ids.map(async (id) => ({
          id,
          res: await api.client.get(`/patient/${id}`, { timeoutMs: 5000 }),
        })),
      );
      for (const { id, res } of reads) {
        statuses.add(res.status);
        if (res.status === 200 && res.json().lname !== lastNameFor(id)) wrong.push(id);
      }
      return reads.every(({ res }) => res.status === 200);
    };
    const promoted = async () =>
      (await api.redis.topology()).some(
        (node) => node.id === heir.id && node.role === 'master' && node.slots > 0,
      );
    const recovered = await eventually(
      async () => (await readAll()) && (await promoted()),
      Boolean,
      30000,
      200,
    );

    expect(recovered).toBe(true);
    expect(wrong).toEqual([]);
    // During the window: 503 (storage unavailable), never a 404 or a 500.
    expect([...statuses].filter((status) => status !== 200 && status !== 503)).toEqual([]);

    // Writes and the listing work on the new topology.
    const late = 'cl-late';
    const created = await eventually(
      () => api.client.post(`/patient/${late}`, { form: recordFor(late) }),
      (res) => res.status !== 503,
    );
    expect(created.status).toBe(200);
    expect((await api.client.get(`/patient/${late}`)).json().lname).toBe(lastNameFor(late));
    expect(await listAll(api.client)).toEqual([...ids, late].sort());
    const ready = await eventually(
      () => api.client.get('/health/ready'),
      (res) => res.status === 200,
    );
    expect(ready.status).toBe(200);
  });
});
