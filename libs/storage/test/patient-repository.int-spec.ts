import {
  PatientExistsError,
  PatientNotFoundError,
  PatientRepository,
  RecordIntegrityError,
  RevisionMismatchError,
  type PatientDocument,
  type RedisClient,
} from '@app/storage';
import { indexKey, recordKey } from '@app/storage/redis/redis-key-layout';
import {
  doc,
  openStorage,
  redisStorage,
  startTestRedis,
  useDevSecrets,
  type RedisMode,
  type StorageContext,
  type TestRedis,
} from './storage-kit';

const context = useDevSecrets();

/** The same contract, run against every adapter. */
function contract(name: string, open: () => Promise<StorageContext>) {
  describe(`${name} PatientRepository`, () => {
    let storage: StorageContext;
    let repo: PatientRepository;
    beforeAll(async () => {
      storage = await open();
      repo = storage.repository;
    });
    afterAll(() => storage?.close());

    it('creates a patient at revision 1 and reads it back', async () => {
      const created = await repo.create('t1', 'c-1', doc('Ann'));
      expect(created).toEqual({ tenant: 't1', id: 'c-1', rev: 1, doc: doc('Ann') });
      await expect(repo.findById('t1', 'c-1')).resolves.toEqual(created);
    });

    it('answers null for an unknown id', async () => {
      await expect(repo.findById('t1', 'nobody')).resolves.toBeNull();
    });

    it('refuses a second create of the same id and keeps the first record', async () => {
      await repo.create('t1', 'c-2', doc('First'));
      await expect(repo.create('t1', 'c-2', doc('Second'))).rejects.toBeInstanceOf(
        PatientExistsError,
      );
      expect((await repo.findById('t1', 'c-2'))?.doc.fields.fname).toBe('First');
    });

    it('lets exactly one of many concurrent creates of one id win', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => repo.create('t1', 'race', doc(`writer-${i}`))),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(
        results.filter((r) => r.status === 'rejected' && r.reason instanceof PatientExistsError),
      ).toHaveLength(19);
      const winner = (won[0] as PromiseFulfilledResult<{ doc: PatientDocument }>).value.doc.fields
        .fname;
      expect((await repo.findById('t1', 'race'))?.doc.fields.fname).toBe(winner);
    });

    it('replaces with and without an expected revision', async () => {
      await repo.create('t1', 'r-1', doc('v1'));
      await expect(repo.replace('t1', 'r-1', doc('v2'))).resolves.toMatchObject({ rev: 2 });
      await expect(repo.replace('t1', 'r-1', doc('v3'), 2)).resolves.toMatchObject({ rev: 3 });
      await expect(repo.replace('t1', 'r-1', doc('stale'), 2)).rejects.toBeInstanceOf(
        RevisionMismatchError,
      );
      expect(await repo.findById('t1', 'r-1')).toMatchObject({ rev: 3, doc: doc('v3') });
      await expect(repo.replace('t1', 'r-missing', doc('x'))).rejects.toBeInstanceOf(
        PatientNotFoundError,
      );
    });

    it('erases a patient, and says whether there was one', async () => {
      await repo.create('t1', 'e-1', doc('gone'));
      await expect(repo.erase('t1', 'e-1')).resolves.toEqual({ tenant: 't1', id: 'e-1' });
      await expect(repo.findById('t1', 'e-1')).resolves.toBeNull();
      await expect(repo.erase('t1', 'e-1')).resolves.toBeNull();
      // The id is free again.
      await expect(repo.create('t1', 'e-1', doc('again'))).resolves.toMatchObject({ rev: 1 });
    });

    it('lists patients in id order, page by page, each once', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `l-${String(i).padStart(3, '0')}`);
      for (const id of [...ids].reverse()) await repo.create('t-list', id, doc(id));
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await repo.list('t-list', 7, after);
        seen.push(...page.items.map((p) => p.id));
        if (!page.nextAfter) break;
        after = page.nextAfter;
      }
      expect(seen).toEqual(ids);
    });

    it('keeps two tenants apart: the same id is two records, each listed by its own tenant only', async () => {
      await repo.create('clinic-a', 'p1', doc('Alice'));
      await repo.create('clinic-b', 'p1', doc('Bob'));
      await repo.create('clinic-b', 'p2', doc('Bea'));
      expect((await repo.findById('clinic-a', 'p1'))?.doc.fields.fname).toBe('Alice');
      expect((await repo.findById('clinic-b', 'p1'))?.doc.fields.fname).toBe('Bob');
      await expect(repo.findById('clinic-a', 'p2')).resolves.toBeNull();

      const listed = async (tenant: string) =>
        (await repo.list(tenant, 100)).items.map((p) => `${p.tenant}/${p.id}`);
      expect(await listed('clinic-a')).toEqual(['clinic-a/p1']);
      expect(await listed('clinic-b')).toEqual(['clinic-b/p1', 'clinic-b/p2']);

      // Replacing or erasing in one tenant leaves the other's record alone.
      await repo.replace('clinic-a', 'p1', doc('Alice v2'));
      expect(await repo.findById('clinic-b', 'p1')).toMatchObject({ rev: 1, doc: doc('Bob') });
      await expect(repo.erase('clinic-b', 'p1')).resolves.toMatchObject({ id: 'p1' });
      expect(await repo.findById('clinic-a', 'p1')).toMatchObject({ rev: 2 });
      await expect(repo.replace('clinic-b', 'p1', doc('x'))).rejects.toBeInstanceOf(
        PatientNotFoundError,
      );
      expect(await listed('clinic-a')).toEqual(['clinic-a/p1']);
      expect(await listed('clinic-b')).toEqual(['clinic-b/p2']);
    });

    it('refuses malformed tenant names and ids before they reach a key', async () => {
      for (const tenant of ['', 'a}b', 'a:b', 'x'.repeat(65), 'sp ace']) {
        await expect(repo.create(tenant, 'p1', doc('x'))).rejects.toBeInstanceOf(RangeError);
        await expect(repo.list(tenant, 10)).rejects.toBeInstanceOf(RangeError);
      }
      await expect(repo.findById('t1', 'a*b')).rejects.toBeInstanceOf(RangeError);
    });

    it('changes a record and its index entry together when create and erase race', async () => {
      for (let round = 0; round < 40; round++) {
        await Promise.allSettled([
          repo.create('t-race', 'contested', doc(`r${round}`)),
          repo.erase('t-race', 'contested'),
        ]);
        const stored = (await repo.findById('t-race', 'contested')) !== null;
        const listed = (await repo.list('t-race', 10)).items.some((p) => p.id === 'contested');
        expect({ round, stored, listed }).toEqual({ round, stored, listed: stored });
        await repo.erase('t-race', 'contested');
      }
    });

    it('answers a ping', async () => {
      await expect(repo.ping()).resolves.toBeUndefined();
    });
  });
}

contract('memory', async () =>
  openStorage({ driver: 'memory', keyRing: await context.secrets.source.recordKeys() }),
);

for (const mode of ['standalone', 'sentinel', 'cluster'] as RedisMode[]) {
  describe(`redis ${mode}`, () => {
    let redis: TestRedis;
    let direct: RedisClient;
    beforeAll(async () => {
      redis = await startTestRedis(context.secrets, mode);
      direct = await redis.direct();
    });
    afterAll(async () => {
      direct?.disconnect();
      await redis?.stop();
    });

    contract(`redis ${mode}`, async () =>
      redisStorage(redis, await context.secrets.source.recordKeys()),
    );

    describe('layout and sealing', () => {
      let storage: StorageContext;
      beforeAll(async () => {
        storage = await redisStorage(redis, await context.secrets.source.recordKeys());
      });
      afterAll(() => storage?.close());

      it('keys carry the tenant, and a tenant’s records share the slot of its index', async () => {
        await storage.repository.create('clinic-s', 'slot-1', doc('x'));
        await storage.repository.create('clinic-s', 'slot-2', doc('y'));
        expect(await direct.exists(recordKey('clinic-s', 'slot-1'))).toBe(1);
        expect(recordKey('clinic-s', 'slot-1')).toBe('patient:{clinic-s}:slot-1');
        expect(await direct.zrange(indexKey('clinic-s'), '0', '-1')).toEqual(['slot-1', 'slot-2']);
        if (mode !== 'cluster') return;
        const slot = async (key: string) => Number(await direct.call('CLUSTER', 'KEYSLOT', key));
        const index = await slot(indexKey('clinic-s'));
        expect(await slot(recordKey('clinic-s', 'slot-1'))).toBe(index);
        expect(await slot(recordKey('clinic-s', 'slot-2'))).toBe(index);
      });

      it('fails the integrity check of an envelope copied to another tenant’s key, or to another id', async () => {
        await storage.repository.create('clinic-a', 'victim', doc('Secret'));
        const envelope = (await direct.get(recordKey('clinic-a', 'victim')))!;
        await storage.repository.create('clinic-b', 'victim', doc('Other'));
        await direct.set(recordKey('clinic-b', 'victim'), envelope);
        await expect(storage.repository.findById('clinic-b', 'victim')).rejects.toBeInstanceOf(
          RecordIntegrityError,
        );
        await storage.repository.create('clinic-a', 'victim-2', doc('Other'));
        await direct.set(recordKey('clinic-a', 'victim-2'), envelope);
        await expect(storage.repository.findById('clinic-a', 'victim-2')).rejects.toBeInstanceOf(
          RecordIntegrityError,
        );
        // The listing withholds the failing record and names it, rather than failing whole.
        const page = await storage.repository.list('clinic-b', 10);
        expect(page.withheld).toEqual(['victim']);
        // The original still opens: the check is about where the envelope is, not what it holds.
        expect((await storage.repository.findById('clinic-a', 'victim'))?.doc).toEqual(
          doc('Secret'),
        );
      });
    });
  });
}
