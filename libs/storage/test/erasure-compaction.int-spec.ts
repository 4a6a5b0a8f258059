import type { RedisClient } from '@app/storage';
import { recordKey } from '@app/storage/redis/redis-key-layout';
import { eventually, sleep } from '@test/support/eventually';
import {
  collectingLogger,
  doc,
  redisStorage,
  startTestRedis,
  useDevSecrets,
  type TestRedis,
} from './storage-kit';

const context = useDevSecrets();

async function persistence(client: RedisClient): Promise<{ rewrites: number; busy: boolean }> {
  const info = await client.info('persistence');
  return {
    rewrites: Number(/^aof_rewrites:(\d+)/m.exec(info)?.[1]),
    busy: /^aof_rewrite_(in_progress|scheduled):1/m.test(info),
  };
}

describe('erasure compaction on a Redis Cluster', () => {
  let redis: TestRedis;
  let masters: RedisClient[];
  beforeAll(async () => {
    redis = await startTestRedis(context.secrets, 'cluster');
    masters = await redis.masters();
    // Turning the append-only file on writes a first one (a rewrite): let those finish.
    for (const master of masters) await master.config('SET', 'appendonly', 'yes');
    for (const master of masters) {
      await eventually(
        () => persistence(master),
        (state) => !state.busy,
      );
    }
  });
  afterAll(async () => {
    for (const master of masters ?? []) master.disconnect();
    await redis?.stop();
  });

  it('rewrites the append-only file of the master owning the tenant’s slot, and of no other', async () => {
    const storage = await redisStorage(redis, await context.secrets.source.recordKeys(), {
      erasureCompactionSeconds: 0,
    });
    try {
      await storage.repository.create('clinic-z', 'gone', doc('x'));
      const holds = await Promise.all(
        // A master not serving the slot answers MOVED.
        masters.map((m) =>
          m.exists(recordKey('clinic-z', 'gone')).then(
            (n) => n === 1,
            () => false,
          ),
        ),
      );
      const owner = holds.indexOf(true);
      expect(holds.filter(Boolean)).toHaveLength(1);
      const before = await Promise.all(masters.map(async (m) => (await persistence(m)).rewrites));

      await storage.repository.erase('clinic-z', 'gone');
      await eventually(
        () => persistence(masters[owner]),
        (state) => state.rewrites > before[owner] && !state.busy,
      );
      // Give a stray rewrite elsewhere the time to show.
      await sleep(1000);
      const after = await Promise.all(masters.map(async (m) => (await persistence(m)).rewrites));
      expect(after).toEqual(before.map((n, i) => (i === owner ? n + 1 : n)));
    } finally {
      await storage.close();
    }
  });
});

describe('erasure compaction when the append-only file is off', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis(context.secrets, 'standalone', { appendonly: false });
  });
  afterAll(() => redis?.stop());

  it('says so in one warning, however many erasures follow', async () => {
    const logger = collectingLogger();
    const storage = await redisStorage(
      redis,
      await context.secrets.source.recordKeys(),
      { erasureCompactionSeconds: 0 },
      logger,
    );
    const warnings = () => logger.lines.filter((line) => line.includes('appendonly is off'));
    try {
      for (const id of ['a', 'b', 'c']) {
        await storage.repository.create('t', id, doc(id));
        await storage.repository.erase('t', id);
        await eventually(
          async () => warnings().length,
          (n) => n > 0,
          5000,
          20,
        );
        await sleep(200);
      }
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toMatch(/^warn appendonly is off on redis master/);
    } finally {
      await storage.close();
    }
  });
});

describe('erasure compaction while a rewrite is already running', () => {
  let redis: TestRedis;
  let direct: RedisClient;
  beforeAll(async () => {
    redis = await startTestRedis(context.secrets, 'standalone', { appendonly: true });
    direct = await redis.direct();
  });
  afterAll(async () => {
    direct?.disconnect();
    await redis?.stop();
  });

  it('asks again once that one is over (it may have begun before the erasure)', async () => {
    const storage = await redisStorage(redis, await context.secrets.source.recordKeys(), {
      erasureCompactionSeconds: 0,
    });
    try {
      for (let i = 0; i < 30; i++) await storage.repository.create('t', `slow-${i}`, doc('x'));
      // Slow the child down (50 ms per key): a rewrite started now runs for about 1.5 s.
      await direct.config('SET', 'rdb-key-save-delay', '50000');
      const before = await persistence(direct);
      await direct.bgrewriteaof();
      expect((await persistence(direct)).busy).toBe(true);

      await storage.repository.erase('t', 'slow-0');
      const after = await eventually(
        () => persistence(direct),
        (state) => state.rewrites >= before.rewrites + 2 && !state.busy,
        20000,
      );
      expect(after.rewrites).toBe(before.rewrites + 2);
    } finally {
      await direct.config('SET', 'rdb-key-save-delay', '0');
      await storage.close();
    }
  });
});
