import { randomBytes } from 'node:crypto';
import { buildKeyRing, recordKeyId } from '@app/secrets';
import type { PatientDocument, RedisClient } from '@app/storage';
import { AesGcmRecordCipher } from '@app/storage/crypto/aes-gcm-record-cipher';
import { indexKey, recordKey } from '@app/storage/redis/redis-key-layout';
import {
  collectingLogger,
  doc,
  keysOn,
  redisStorage,
  sealAsBeforeTenants,
  startTestRedis,
  useDevSecrets,
  writeAsBeforeTenants,
  type RedisMode,
  type TestRedis,
} from './storage-kit';

const context = useDevSecrets();

for (const mode of ['standalone', 'cluster'] as RedisMode[]) {
  describe(`storage maintenance on redis ${mode}`, () => {
    let redis: TestRedis;
    let direct: RedisClient;
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const oldRing = buildKeyRing(oldKey);
    const rotatedRing = buildKeyRing(newKey, [oldKey]);

    beforeAll(async () => {
      redis = await startTestRedis(context.secrets, mode);
      direct = await redis.direct();
    });
    afterAll(async () => {
      direct?.disconnect();
      await redis?.stop();
    });

    /** Record count per key id, read from the keyspace of every master. */
    async function keyCensus(pattern: string): Promise<Record<string, number>> {
      const census: Record<string, number> = {};
      for (const key of await keysOn(redis, pattern)) {
        const kid = (JSON.parse((await direct.get(key))!) as { kid: string }).kid;
        census[kid] = (census[kid] ?? 0) + 1;
      }
      return census;
    }

    describe('key rotation', () => {
      const ids = Array.from({ length: 40 }, (_, i) => `rot-${i}`);

      beforeAll(async () => {
        const before = await redisStorage(redis, oldRing);
        for (const tenant of ['clinic-a', 'clinic-b']) {
          await Promise.all(ids.map((id) => before.repository.create(tenant, id, doc(id))));
        }
        await before.close();
        // Unlisted records, as the code before atomic creates left behind: rotation must find
        // them in the keyspace, not in the index.
        await direct.zrem(indexKey('clinic-a'), 'rot-1', 'rot-2');
        await direct.zrem(indexKey('clinic-b'), 'rot-3');
      });

      it('moves every record of every tenant to the new key, listed or not, and a re-run finds nothing to do', async () => {
        expect(await keyCensus('patient:{*}:rot-*')).toEqual({ [recordKeyId(oldKey)]: 80 });
        const storage = await redisStorage(redis, rotatedRing);
        try {
          const first = await storage.rotator.rotate();
          expect(first).toMatchObject({
            seen: 80,
            rotated: 80,
            alreadyCurrent: 0,
            missing: 0,
            legacy: 0,
            stale: 0,
            unreadable: [],
          });
          expect(await keyCensus('patient:{*}:rot-*')).toEqual({ [recordKeyId(newKey)]: 80 });
          const second = await storage.rotator.rotate();
          expect(second).toMatchObject({ seen: 80, rotated: 0, alreadyCurrent: 80, stale: 0 });
        } finally {
          await storage.close();
        }
        // The new key alone opens every record, unchanged, the unlisted ones included.
        const onlyNew = await redisStorage(redis, buildKeyRing(newKey));
        try {
          for (const tenant of ['clinic-a', 'clinic-b']) {
            for (const id of ids) {
              expect(await onlyNew.repository.findById(tenant, id)).toEqual({
                tenant,
                id,
                rev: 1,
                doc: doc(id),
              });
            }
          }
        } finally {
          await onlyNew.close();
        }
      });

      it('names a record that fails its integrity check instead of calling every record current', async () => {
        const old = await redisStorage(redis, oldRing);
        await old.repository.create('clinic-c', 'tampered', doc('x'));
        await old.close();
        const key = recordKey('clinic-c', 'tampered');
        const envelope = JSON.parse((await direct.get(key))!) as { ct: string };
        await direct.set(
          key,
          JSON.stringify({ ...envelope, ct: Buffer.from('forged').toString('base64') }),
        );
        const storage = await redisStorage(redis, rotatedRing);
        try {
          const result = await storage.rotator.rotate();
          expect(result.unreadable).toEqual([{ tenant: 'clinic-c', id: 'tampered' }]);
          expect(result.rotated).toBe(0);
        } finally {
          await storage.close();
        }
        await direct.del(key);
      });
    });

    describe('tenant migration of records stored before tenants', () => {
      const cipher = new AesGcmRecordCipher(rotatedRing);
      const oldCipher = new AesGcmRecordCipher(oldRing);
      const expected = new Map<string, { rev: number; doc: PatientDocument }>();

      beforeAll(async () => {
        for (let i = 0; i < 30; i++) {
          const id = `mig-${String(i).padStart(2, '0')}`;
          const rev = 1 + (i % 3);
          expected.set(id, { rev, doc: doc(`Old ${i}`) });
          // Some still under the previous record key: the migration re-seals them under the active one.
          const sealer = i % 5 === 0 ? oldCipher : cipher;
          // mig-07 is missing from the old index, as the old create/erase race left records.
          await writeAsBeforeTenants(
            direct,
            id,
            sealAsBeforeTenants(sealer, id, rev, doc(`Old ${i}`)),
            {
              listed: id !== 'mig-07',
            },
          );
        }
        // An index entry without its record (a create that failed half-way).
        await direct.zadd('patients:index', 0, 'mig-orphan');
        // The tenant already has its own record under one of the ids.
        await writeAsBeforeTenants(
          direct,
          'mig-taken',
          sealAsBeforeTenants(cipher, 'mig-taken', 1, doc('Old taken')),
        );
        // A tampered one.
        const forged = JSON.parse(sealAsBeforeTenants(cipher, 'mig-forged', 1, doc('x'))) as {
          ct: string;
        };
        await writeAsBeforeTenants(
          direct,
          'mig-forged',
          JSON.stringify({ ...forged, ct: Buffer.from('forged').toString('base64') }),
        );
      });

      it('warns at boot that records stored before tenants are not served until moved', async () => {
        const logger = collectingLogger();
        const storage = await redisStorage(redis, rotatedRing, {}, logger);
        await storage.close();
        expect(logger.lines.filter((line) => line.includes('tenants:migrate'))).toEqual([
          'warn records stored before tenants (key patients:index) are not served: move them with ' +
            '`npm run tenants:migrate -- --tenant NAME`',
        ]);
      });

      it('moves every record into the tenant, re-sealed, finishing a copy an interrupted run made, and leaves conflicts named', async () => {
        const storage = await redisStorage(redis, rotatedRing);
        try {
          await storage.repository.create('default', 'mig-taken', doc('New taken'));
          // What a run interrupted between copy and delete leaves (Cluster): both copies.
          const half = expected.get('mig-01')!;
          await storage.repository.create('default', 'mig-01', half.doc);
          await storage.repository.replace('default', 'mig-01', half.doc);
          expect(half.rev).toBe(2);

          const first = await storage.migrator.migrateLegacyRecords('default');
          expect(first).toMatchObject({
            seen: 32,
            migrated: 29,
            resumed: 1,
            missing: 0,
            orphansDropped: 1,
          });
          expect(first.leftBehind.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
            { id: 'mig-forged', reason: 'integrity' },
            { id: 'mig-taken', reason: 'conflict' },
          ]);

          for (const [id, record] of expected) {
            expect(await storage.repository.findById('default', id)).toEqual({
              tenant: 'default',
              id,
              ...record,
            });
          }
          const listed = (await storage.repository.list('default', 100)).items.map((p) => p.id);
          expect(listed).toEqual([...expected.keys(), 'mig-taken'].sort());
          expect((await storage.repository.findById('default', 'mig-taken'))?.doc).toEqual(
            doc('New taken'),
          );
          // Only what was left behind stays in the old layout; every moved record is under the active key.
          expect(await keysOn(redis, 'patient:[^{]*')).toEqual([
            'patient:mig-forged',
            'patient:mig-taken',
          ]);
          expect(await direct.zrange('patients:index', '0', '-1')).toEqual([
            'mig-forged',
            'mig-taken',
          ]);
          expect(await keyCensus('patient:{default}:mig-*')).toEqual({ [recordKeyId(newKey)]: 31 });

          const again = await storage.migrator.migrateLegacyRecords('default');
          expect(again).toMatchObject({ seen: 2, migrated: 0, resumed: 0, orphansDropped: 0 });
          expect(again.leftBehind).toHaveLength(2);
        } finally {
          await storage.close();
        }
      });
    });
  });
}
