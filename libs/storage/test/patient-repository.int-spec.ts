import { rm } from 'node:fs/promises';
import {
  AesGcmRecordCipher,
  createRedisClient,
  MemoryPatientRepository,
  PatientDocument,
  PatientExistsError,
  PatientNotFoundError,
  PatientRepository,
  RecordCodec,
  RedisPatientRepository,
  RevisionMismatchError,
} from '@app/storage';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import { redisOptionsFor, startRedisFor } from '@test/support/redis-fixture';
import type { TestRedisServer } from '@test/support/redis-server';

const doc = (name: string, score = 0.1): PatientDocument => ({
  fields: { fname: name, lname: 'Doe', preexistingconditions: 'asthma' },
  score,
  scoreModel: 'test@1',
});

/** The same contract, run against every adapter. */
function contract(
  name: string,
  make: () => Promise<PatientRepository>,
  teardown: () => Promise<void>,
) {
  describe(`${name} PatientRepository`, () => {
    let repo: PatientRepository;
    beforeAll(async () => {
      repo = await make();
    });
    afterAll(teardown);

    it('creates a patient at revision 1 and reads it back', async () => {
      const created = await repo.create('c-1', doc('Ann'));
      expect(created).toEqual({ id: 'c-1', rev: 1, doc: doc('Ann') });
      await expect(repo.findById('c-1')).resolves.toEqual(created);
    });

    it('answers null for an unknown id', async () => {
      await expect(repo.findById('nobody')).resolves.toBeNull();
    });

    it('refuses a second create of the same id and keeps the first record', async () => {
      await repo.create('c-2', doc('First'));
      await expect(repo.create('c-2', doc('Second'))).rejects.toBeInstanceOf(PatientExistsError);
      expect((await repo.findById('c-2'))?.doc.fields.fname).toBe('First');
    });

    it('lets exactly one of many concurrent creates of one id win', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => repo.create('race', doc(`writer-${i}`))),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(
        results.filter((r) => r.status === 'rejected' && r.reason instanceof PatientExistsError),
      ).toHaveLength(19);
      const winner = (won[0] as PromiseFulfilledResult<{ doc: PatientDocument }>).value.doc.fields
        .fname;
      expect((await repo.findById('race'))?.doc.fields.fname).toBe(winner);
    });

    it('replaces with and without an expected revision', async () => {
      await repo.create('r-1', doc('v1'));
      await expect(repo.replace('r-1', doc('v2'))).resolves.toMatchObject({ rev: 2 });
      await expect(repo.replace('r-1', doc('v3'), 2)).resolves.toMatchObject({ rev: 3 });
      await expect(repo.replace('r-1', doc('stale'), 2)).rejects.toBeInstanceOf(
        RevisionMismatchError,
      );
      expect(await repo.findById('r-1')).toMatchObject({ rev: 3, doc: doc('v3') });
      await expect(repo.replace('r-missing', doc('x'))).rejects.toBeInstanceOf(
        PatientNotFoundError,
      );
    });

    it('erases a patient, and says whether there was one', async () => {
      await repo.create('e-1', doc('gone'));
      await expect(repo.erase('e-1')).resolves.toBe(true);
      await expect(repo.findById('e-1')).resolves.toBeNull();
      await expect(repo.erase('e-1')).resolves.toBe(false);
      // The id is free again.
      await expect(repo.create('e-1', doc('again'))).resolves.toMatchObject({ rev: 1 });
    });

    it('lists patients in id order, page by page, each once', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `l-${String(i).padStart(3, '0')}`);
      for (const id of [...ids].reverse()) await repo.create(id, doc(id));
      const seen: string[] = [];
      let after: string | undefined = 'l-';
      for (;;) {
        const page = await repo.list(7, after);
        seen.push(...page.items.map((p) => p.id).filter((id) => id.startsWith('l-')));
        if (!page.nextAfter || !page.nextAfter.startsWith('l-')) break;
        after = page.nextAfter;
      }
      expect(seen).toEqual(ids);
    });

    it('answers a ping', async () => {
      await expect(repo.ping()).resolves.toBeUndefined();
    });
  });
}

let secrets: DevSecrets;
let server: TestRedisServer;
let codec: RecordCodec;

beforeAll(async () => {
  secrets = await makeDevSecrets();
  codec = new RecordCodec(new AesGcmRecordCipher(await secrets.source.recordKeys()));
  server = await startRedisFor(secrets);
});

afterAll(async () => {
  await server?.stop();
  await rm(secrets.stateDir, { recursive: true, force: true });
});

contract(
  'memory',
  () => Promise.resolve(new MemoryPatientRepository(codec)),
  () => Promise.resolve(),
);

let redisRepo: RedisPatientRepository;
contract(
  'redis',
  async () => {
    redisRepo = new RedisPatientRepository(
      createRedisClient(await redisOptionsFor(secrets, server)),
      codec,
    );
    expect(await redisRepo.connect(5000)).toBe(true);
    return redisRepo;
  },
  () => redisRepo.onModuleDestroy(),
);
