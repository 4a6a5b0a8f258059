import { recordKey } from '@app/storage/redis/redis-key-layout';
import { DEV_TENANT } from '../../src/auth/dev-token';
import { eventually, sleep } from '@test/support/eventually';
import { TestRedisSentinels } from '@test/support/redis-sentinel';
import { useTestApi } from '@test/support/test-api';
import { exerciseEveryEndpoint, lastNameFor, listAll, recordFor } from './ops-support';

describe('Redis Sentinel over TLS: one master, one replica, three sentinels', () => {
  const api = useTestApi({ redis: ({ secrets }) => TestRedisSentinels.start(secrets) });
  let ids: string[];

  it('serves every endpoint, listing included, through the master the sentinels name', async () => {
    expect((await api.client.get('/health/ready')).status).toBe(200);
    ids = await exerciseEveryEndpoint(api.client, 'sn', 12);
    const master = await api.redis.connect(api.redis.master.port);
    try {
      expect(await master.exists(...ids.map((id) => recordKey(DEV_TENANT, id)))).toBe(ids.length);
    } finally {
      master.disconnect();
    }
  });

  it('writes to the new master after the old one dies and the sentinels fail over', async () => {
    // Every acknowledged write has reached the replica (replication is asynchronous: see
    // docs/operations.md on what a failover can lose).
    const master = await api.redis.connect(api.redis.master.port);
    await master.set('sync-marker', '1');
    expect(await master.call('WAIT', '1', '5000')).toBe(1);
    master.disconnect();

    await api.redis.master.kill();
    const newMaster = await eventually(
      () => api.redis.masterPort(),
      (port) => port === api.redis.replica.port,
      30000,
      200,
    );
    expect(newMaster).toBe(api.redis.replica.port);

    const statuses = new Set<number>();
    const late = 'sn-late';
    const created = await eventually(
      async () => {
        const res = await api.client.post(`/patient/${late}`, { form: recordFor(late) });
        statuses.add(res.status);
        return res;
      },
      (res) => res.status !== 503,
    );
    expect(created.status).toBe(200);
    expect([...statuses].filter((status) => status !== 200 && status !== 503)).toEqual([]);

    // It landed on the new master, which really is one now.
    const promoted = await api.redis.connect(api.redis.replica.port);
    try {
      expect(await promoted.call('ROLE')).toEqual(expect.arrayContaining(['master']));
      expect(await promoted.exists(recordKey(DEV_TENANT, late))).toBe(1);
    } finally {
      promoted.disconnect();
    }

    for (const id of [...ids, late]) {
      const res = await api.client.get(`/patient/${id}`);
      expect(res.status).toBe(200);
      expect(res.json().lname).toBe(lastNameFor(id));
    }
    expect(await listAll(api.client)).toEqual([...ids, late].sort());
    const ready = await eventually(
      () => api.client.get('/health/ready'),
      (res) => res.status === 200,
    );
    expect(ready.status).toBe(200);
    ids.push(late);
  });

  it('loses no acknowledged write in a failover the sentinels are asked for, with REDIS_WAIT_REPLICAS=1', async () => {
    // The dead master comes back, empty, as a replica of the new one.
    const [oldMaster, current] = [api.redis.master, api.redis.replica];
    await oldMaster.start();
    const rejoined = await api.redis.connect(oldMaster.port);
    await rejoined.call('REPLICAOF', '127.0.0.1', String(current.port));
    await eventually(
      async () => /master_link_status:up/.test(await rejoined.info('replication')),
      Boolean,
    );

    // A second API that answers 200 only once a replica has the write: the demoted master keeps
    // taking writes for a moment after the sentinels promoted its replica, and those are lost.
    const durable = await api.start({ REDIS_WAIT_REPLICAS: '1' });
    const durableClient = durable.client;
    const answers: Array<{ id: string; status: number; switched: boolean }> = [];
    let switched = false;
    let running = true;
    const worker = async (w: number) => {
      for (let n = 0; running; n++) {
        const id = `snw-${w}-${n}`;
        const res = await durableClient.post(`/patient/${id}`, {
          form: recordFor(id),
          timeoutMs: 5000,
        });
        answers.push({ id, status: res.status, switched });
        if (res.status !== 200) await sleep(20);
      }
    };
    const load = Promise.all([0, 1, 2].map(worker));
    try {
      await eventually(
        async () => answers.filter((a) => a.status === 200).length,
        (n) => n >= 20,
      );
      // The current master is demoted alive: sentinels drop its clients; a write that still
      // reaches it gets READONLY once it is a replica.
      await api.redis.failover();
      await eventually(
        () => api.redis.masterPort(),
        (port) => port === oldMaster.port,
        30000,
        200,
      );
      switched = true;
      // Writes are refused (503) until the demoted master is a replica of the new one and has
      // caught up: Sentinel converts it after seeing it for a few seconds.
      await eventually(
        async () => answers.filter((a) => a.switched && a.status === 200).length,
        (n) => n >= 5,
        30000,
      );
    } finally {
      running = false;
      await load;
      await durable.stop();
    }
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    const acknowledged = answers.filter((a) => a.status === 200).map((a) => a.id);
    try {
      expect(await rejoined.call('ROLE')).toEqual(expect.arrayContaining(['master']));
      const present = await Promise.all(
        acknowledged.map((id) => rejoined.exists(recordKey(DEV_TENANT, id))),
      );
      expect(acknowledged.filter((_, i) => present[i] !== 1)).toEqual([]);
    } finally {
      rejoined.disconnect();
    }
    for (const id of [...ids, ...acknowledged]) {
      expect((await api.client.get(`/patient/${id}`)).json().lname).toBe(lastNameFor(id));
    }
  });
});
