import { createHash, createHmac } from 'node:crypto';
import { buildKeyRing } from '@app/secrets';
import {
  AuditStore,
  PatientExistsError,
  PatientNotFoundError,
  RevisionMismatchError,
  StorageUnavailableError,
  type AuditCheckpoint,
  type AuditVerification,
  type RedisClient,
  type StoredAuditEvent,
} from '@app/storage';
import { AesGcmRecordCipher } from '@app/storage/crypto/aes-gcm-record-cipher';
import {
  auditEventsKey,
  auditHeadKey,
  auditMarksKey,
  recordKey,
} from '@app/storage/redis/redis-key-layout';
import { randomBytes } from 'node:crypto';
import {
  auditEvent,
  collectingLogger,
  doc,
  openStorage,
  redisStorage,
  rewriteStreamEntry,
  sealAsBeforeTenants,
  startTestRedis,
  TEST_AUDIT_KEY,
  useDevSecrets,
  writeAsBeforeTenants,
  type RedisMode,
  type StorageContext,
  type TestRedis,
} from './storage-kit';

const context = useDevSecrets();
const GENESIS = '0'.repeat(64);
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const macOf = (hash: string) =>
  createHmac('sha256', TEST_AUDIT_KEY).update(Buffer.from(hash, 'hex')).digest('hex');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the verifier found for one tenant: each chain's first broken event, each record. */
async function findings(storage: StorageContext, tenant: string, checkpoints?: AuditCheckpoint[]) {
  const result: AuditVerification = await storage.verifier.verify({ checkpoints });
  return {
    breaks: result.chainBreaks
      .filter((b) => b.tenant === tenant)
      .map(({ chain, seq, kind }) => ({ chain, seq, kind })),
    records: result.recordFindings
      .filter((f) => f.tenant === tenant)
      .map(({ id, kind }) => ({ id, kind })),
  };
}

const clean = { breaks: [], records: [] };

async function checkpointsOf(audit: AuditStore, tenant: string): Promise<AuditCheckpoint[]> {
  return (await audit.heads(tenant)).map(({ chain, seq, hash }) => ({ tenant, chain, seq, hash }));
}

/** The same contract, run against every driver. */
function contract(name: string, open: () => Promise<StorageContext>) {
  describe(`${name} AuditStore`, () => {
    let storage: StorageContext;
    let audit: AuditStore;
    beforeAll(async () => {
      storage = await open();
      audit = storage.audit;
    });
    afterAll(() => storage?.close());

    it('stores events in order, hash-chained and MACed, and reads them back whole and per patient', async () => {
      const inputs = [
        auditEvent('c-rt', ['p1']),
        auditEvent('c-rt', ['p2'], { outcome: 'not_found' }),
        auditEvent('c-rt', ['p1', 'p2'], { action: 'patient.list' }),
      ];
      const stored = await audit.append('c-rt', inputs);
      expect(stored.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(stored.map((e) => e.event)).toEqual(inputs);
      expect(new Set(stored.map((e) => e.chain)).size).toBe(1);
      expect(stored[0].prev).toBe(GENESIS);
      expect(stored[1].prev).toBe(stored[0].hash);
      expect(stored[2].prev).toBe(stored[1].hash);
      for (const e of stored) expect(e.mac).toBe(macOf(e.hash));

      await expect(audit.readAll('c-rt', 10)).resolves.toEqual({ events: stored, next: null });
      const first = await audit.readPatient('c-rt', 'p1', 1);
      expect(first).toEqual({ events: [stored[0]], next: stored[0].id });
      await expect(audit.readPatient('c-rt', 'p1', 1, first.next!)).resolves.toEqual({
        events: [stored[2]],
        next: null,
      });
      expect((await audit.readPatient('c-rt', 'p2', 10)).events).toEqual([stored[1], stored[2]]);
      await expect(audit.readPatient('c-rt', 'nobody', 10)).resolves.toEqual({
        events: [],
        next: null,
      });
      // Another tenant's trail is another trail.
      await expect(audit.readAll('c-other', 10)).resolves.toEqual({ events: [], next: null });
      await expect(audit.readPatient('c-other', 'p1', 10)).resolves.toEqual({
        events: [],
        next: null,
      });
    });

    it('keeps a trail for requests that named no tenant, and files no malformed id', async () => {
      const [event] = await audit.append('*', [auditEvent('*', ['a*b', 'p1'])]);
      expect(event).toMatchObject({ tenant: '*', seq: 1 });
      expect((await audit.readAll('*', 10)).events).toEqual([event]);
      expect((await audit.readPatient('*', 'p1', 10)).events).toEqual([event]);
      await expect(audit.readPatient('*', 'a*b', 10)).rejects.toBeInstanceOf(RangeError);
    });

    it('stores concurrent appends each once, in one chain numbered without gaps', async () => {
      const stored = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          audit.append('c-burst', [auditEvent('c-burst', [`b${i}`])]),
        ),
      );
      const seqs = stored.map(([e]) => e.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const all = (await audit.readAll('c-burst', 500)).events;
      expect(all.map((e) => e.seq)).toEqual(seqs);
      expect(all.map((e) => e.id)).toEqual(stored.map(([e]) => e.id).sort(byId));
    });

    it('refuses write events, malformed tenants, cursors and page sizes', async () => {
      await expect(
        audit.append('c-bad', [{ ...auditEvent('c-bad', ['p1']), recordDigest: GENESIS }]),
      ).rejects.toBeInstanceOf(RangeError);
      await expect(audit.append('a}b', [auditEvent('a}b', ['p1'])])).rejects.toBeInstanceOf(
        RangeError,
      );
      await expect(audit.readAll('c-bad', 10, 'nope')).rejects.toBeInstanceOf(RangeError);
      await expect(audit.readAll('c-bad', 0)).rejects.toBeInstanceOf(RangeError);
      expect((await audit.readAll('c-bad', 10)).events).toEqual([]);
    });

    it('stores each change with its event, the event naming the digest of what was stored', async () => {
      const repo = storage.repository;
      const created = await repo.create(
        'c-w',
        'w1',
        doc('Ann'),
        auditEvent('c-w', ['w1'], { action: 'patient.create' }),
      );
      const replaced = await repo.replace(
        'c-w',
        'w1',
        doc('Ann B'),
        1,
        auditEvent('c-w', ['w1'], { action: 'patient.replace' }),
      );
      const erased = await repo.erase(
        'c-w',
        'w1',
        auditEvent('c-w', ['w1'], { action: 'patient.erase' }),
      );
      expect(created).toMatchObject({
        rev: 1,
        audit: { seq: 1, event: { action: 'patient.create' } },
      });
      expect(replaced).toMatchObject({
        rev: 2,
        audit: { seq: 2, event: { action: 'patient.replace' } },
      });
      expect(erased).toMatchObject({ id: 'w1', audit: { seq: 3, event: { recordDigest: null } } });
      expect(created.audit?.event.recordDigest).toMatch(/^[0-9a-f]{64}$/);
      expect(replaced.audit?.event.recordDigest).not.toBe(created.audit?.event.recordDigest);
      const trail = (await storage.audit.readPatient('c-w', 'w1', 10)).events;
      expect(trail).toEqual([created.audit, replaced.audit, erased?.audit]);
      // A write event names exactly the record written.
      await expect(
        repo.create('c-w', 'w2', doc('x'), auditEvent('c-w', ['someone-else'])),
      ).rejects.toBeInstanceOf(RangeError);
    });

    it('stores no event for a refused change; its failure event takes the next number', async () => {
      const repo = storage.repository;
      const t = 'c-refused';
      await repo.create(t, 'r1', doc('One'), auditEvent(t, ['r1'], { action: 'patient.create' }));
      await expect(
        repo.create(t, 'r1', doc('Two'), auditEvent(t, ['r1'], { action: 'patient.create' })),
      ).rejects.toBeInstanceOf(PatientExistsError);
      await expect(
        repo.replace(t, 'r1', doc('Two'), 7, auditEvent(t, ['r1'], { action: 'patient.replace' })),
      ).rejects.toBeInstanceOf(RevisionMismatchError);
      await expect(
        repo.replace(t, 'nobody', doc('Two'), undefined, auditEvent(t, ['nobody'])),
      ).rejects.toBeInstanceOf(PatientNotFoundError);
      await expect(repo.erase(t, 'nobody', auditEvent(t, ['nobody']))).resolves.toBeNull();
      expect((await storage.audit.readAll(t, 10)).events).toHaveLength(1);
      const [failure] = await storage.audit.append(t, [
        auditEvent(t, ['r1'], { action: 'patient.create', outcome: 'conflict' }),
      ]);
      expect(failure.seq).toBe(2);
      expect((await repo.findById(t, 'r1'))?.doc).toEqual(doc('One'));
    });

    it('names the head of each chain it writes, for checkpoint lines', async () => {
      const [, last] = await audit.append('c-heads', [
        auditEvent('c-heads', ['h1']),
        auditEvent('c-heads', ['h1']),
      ]);
      await expect(audit.heads('c-heads')).resolves.toEqual([
        { tenant: 'c-heads', chain: last.chain, seq: 2, hash: last.hash },
      ]);
      expect((await audit.heads()).map((h) => h.tenant)).toEqual(
        expect.arrayContaining(['c-heads', 'c-rt', '*']),
      );
    });

    it('verifies an intact store, checkpoints included', async () => {
      const result = await storage.verifier.verify({
        checkpoints: await checkpointsOf(audit, 'c-rt'),
      });
      expect(result).toMatchObject({ ok: true, chainBreaks: [], recordFindings: [] });
      expect(result.events).toBeGreaterThan(200);
      expect(result.checkpoints).toBe(1);
    });

    it('trims old events; the trimmed chain verifies from its retention mark, and live records keep a write event', async () => {
      const t = 'c-trim';
      const repo = storage.repository;
      await repo.create(
        t,
        'kept',
        doc('Kept'),
        auditEvent(t, ['kept'], { action: 'patient.create' }),
      );
      await audit.append(t, [auditEvent(t, ['kept']), auditEvent(t, ['other'])]);
      await repo.create(
        t,
        'gone',
        doc('Gone'),
        auditEvent(t, ['gone'], { action: 'patient.create' }),
      );
      await repo.erase(t, 'gone', auditEvent(t, ['gone'], { action: 'patient.erase' }));
      const beforeCut = await checkpointsOf(audit, t);
      await pause(5);
      const cut = new Date();
      await pause(5);
      await audit.append(t, [auditEvent(t, ['kept'])]);

      // Every tenant's old events go (the tests above wrote them); their live records are retained.
      const result = await audit.trim(cut);
      expect(result.trimmed).toBeGreaterThanOrEqual(5);
      expect(result.retained).toBeGreaterThanOrEqual(1);
      expect(result.altered).toBe(0);
      const left = (await audit.readAll(t, 10)).events;
      expect(left.map((e) => [e.seq, e.event.action])).toEqual([
        [6, 'patient.read'],
        [7, 'record.retain'],
      ]);
      expect(left[1].event).toMatchObject({ actor: 'system', patientIds: ['kept'] });
      expect((await audit.readPatient(t, 'kept', 10)).events).toEqual(left);
      expect((await audit.readPatient(t, 'gone', 10)).events).toEqual([]);
      await expect(findings(storage, t)).resolves.toEqual(clean);
      await expect(findings(storage, t, beforeCut)).resolves.toEqual(clean);
      // The record is still named by its (carried forward) write event.
      await repo.replace(
        t,
        'kept',
        doc('Kept 2'),
        1,
        auditEvent(t, ['kept'], { action: 'patient.replace' }),
      );
      await expect(findings(storage, t)).resolves.toEqual(clean);
    });
  });
}

function byId(a: string, b: string): number {
  const [am, an] = a.split('-').map(Number);
  const [bm, bn] = b.split('-').map(Number);
  return am - bm || an - bn;
}

contract('memory', async () =>
  openStorage({ driver: 'memory', keyRing: await context.secrets.source.recordKeys() }),
);

for (const mode of ['standalone', 'cluster'] as RedisMode[]) {
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

    const open = async () => redisStorage(redis, await context.secrets.source.recordKeys());

    contract(`redis ${mode}`, open);

    describe('layout, writers and maintenance', () => {
      let storage: StorageContext;
      beforeAll(async () => {
        storage = await open();
      });
      afterAll(() => storage?.close());

      it('keeps a tenant’s trail in its slot, and the digest of the stored envelope in write events', async () => {
        const written = await storage.repository.create(
          'l-clinic',
          'p1',
          doc('Ann'),
          auditEvent('l-clinic', ['p1'], { action: 'patient.create' }),
        );
        const envelope = (await direct.get(recordKey('l-clinic', 'p1')))!;
        expect(written.audit?.event.recordDigest).toBe(sha256(envelope));
        const entries = await direct.xrange(auditEventsKey('l-clinic'), '-', '+');
        expect(entries.map(([id]) => id)).toEqual([written.audit?.id]);
        const [ms, n] = written.audit!.id.split('-');
        expect(await direct.zrange('audit:{l-clinic}:patient:p1', '0', '-1')).toEqual([
          `${ms.padStart(14, '0')}-${n.padStart(10, '0')}`,
        ]);
        expect(await direct.get(auditHeadKey('l-clinic', written.audit!.chain))).toBe(
          `1 ${written.audit?.hash}`,
        );
        if (mode !== 'cluster') return;
        const slot = async (key: string) => Number(await direct.call('CLUSTER', 'KEYSLOT', key));
        const records = await slot(recordKey('l-clinic', 'p1'));
        for (const key of [
          auditEventsKey('l-clinic'),
          'audit:{l-clinic}:patient:p1',
          auditMarksKey('l-clinic'),
        ]) {
          expect(await slot(key)).toBe(records);
        }
      });

      it('lets two writers append to one tenant at once: two chains, both verify', async () => {
        const other = await open();
        try {
          const t = 'two-writers';
          const write = (store: AuditStore, n: number) =>
            Promise.all(
              Array.from({ length: n }, (_, i) => store.append(t, [auditEvent(t, [`p${i % 7}`])])),
            );
          await Promise.all([write(storage.audit, 150), write(other.audit, 150)]);
          const events = (await storage.audit.readAll(t, 1000)).events;
          const chains = new Map<string, number[]>();
          for (const e of events) chains.set(e.chain, [...(chains.get(e.chain) ?? []), e.seq]);
          expect([...chains.values()]).toEqual([
            Array.from({ length: 150 }, (_, i) => i + 1),
            Array.from({ length: 150 }, (_, i) => i + 1),
          ]);
          await expect(findings(storage, t)).resolves.toEqual(clean);
        } finally {
          await other.close();
        }
      });

      it('leaves a store that verifies after key rotation, each re-encrypted record with its event', async () => {
        const oldKey = randomBytes(32);
        const before = await redisStorage(redis, buildKeyRing(oldKey));
        const t = 'rotated';
        try {
          for (let i = 0; i < 12; i++) {
            await before.repository.create(
              t,
              `k${i}`,
              doc(`K${i}`),
              auditEvent(t, [`k${i}`], { action: 'patient.create' }),
            );
          }
        } finally {
          await before.close();
        }
        const after = await redisStorage(redis, buildKeyRing(randomBytes(32), [oldKey]));
        try {
          const progress = await after.rotator.rotate();
          expect(progress.rotated).toBeGreaterThanOrEqual(12);
          const trail = (await after.audit.readPatient(t, 'k3', 10)).events;
          expect(trail.map((e) => [e.event.action, e.event.actor])).toEqual([
            ['patient.create', 'dr.grey@clinic.example'],
            ['record.rekey', 'system'],
          ]);
          expect(trail[1].event.recordDigest).toBe(sha256((await direct.get(recordKey(t, 'k3')))!));
          const result = await after.verifier.verify();
          expect(result).toMatchObject({ ok: true, chainBreaks: [], recordFindings: [] });
        } finally {
          await after.close();
        }
      });

      it('leaves a store that verifies after the tenant migration, each moved record with its event', async () => {
        const ring = await context.secrets.source.recordKeys();
        const cipher = new AesGcmRecordCipher(ring);
        for (let i = 0; i < 8; i++) {
          await writeAsBeforeTenants(
            direct,
            `m${i}`,
            sealAsBeforeTenants(cipher, `m${i}`, 1, doc(`M${i}`)),
          );
        }
        const progress = await storage.migrator.migrateLegacyRecords('migrated');
        expect(progress.migrated).toBe(8);
        const trail = (await storage.audit.readPatient('migrated', 'm5', 10)).events;
        expect(trail.map((e) => [e.event.action, e.event.actor])).toEqual([
          ['record.migrate', 'system'],
        ]);
        expect(trail[0].event.recordDigest).toBe(
          sha256((await direct.get(recordKey('migrated', 'm5')))!),
        );
        await expect(storage.verifier.verify()).resolves.toMatchObject({ ok: true });
      });
    });

    // From here on the store is tampered with: each test looks at its own tenant's findings.
    describe('tamper evidence', () => {
      let storage: StorageContext;
      beforeAll(async () => {
        storage = await open();
      });
      afterAll(() => storage?.close());

      async function chainOf(t: string, n: number): Promise<StoredAuditEvent[]> {
        return storage.audit.append(
          t,
          Array.from({ length: n }, (_, i) => auditEvent(t, [`p${i}`])),
        );
      }

      it('names an event whose content was edited', async () => {
        const events = await chainOf('t-edit', 5);
        await rewriteStreamEntry(direct, auditEventsKey('t-edit'), events[2].id, (fields) => {
          fields.e = fields.e.replace('dr.grey@clinic.example', 'someone.else');
        });
        await expect(findings(storage, 't-edit')).resolves.toEqual({
          breaks: [{ chain: events[0].chain, seq: 3, kind: 'altered' }],
          records: [],
        });
      });

      it('names a deleted event', async () => {
        const events = await chainOf('t-delete', 5);
        await direct.xdel(auditEventsKey('t-delete'), events[1].id);
        await expect(findings(storage, 't-delete')).resolves.toEqual({
          breaks: [{ chain: events[0].chain, seq: 2, kind: 'missing' }],
          records: [],
        });
      });

      it('names records rolled back, resurrected, written or erased without an event', async () => {
        const t = 't-records';
        const repo = storage.repository;
        const write = (id: string, action = 'patient.create') => auditEvent(t, [id], { action });
        await repo.create(t, 'intact', doc('Intact'), write('intact'));
        await repo.create(t, 'rolled', doc('v1'), write('rolled'));
        const v1 = (await direct.get(recordKey(t, 'rolled')))!;
        await repo.replace(t, 'rolled', doc('v2'), 1, write('rolled', 'patient.replace'));
        await direct.set(recordKey(t, 'rolled'), v1);
        await repo.create(t, 'undead', doc('Undead'), write('undead'));
        const undead = (await direct.get(recordKey(t, 'undead')))!;
        await repo.erase(t, 'undead', write('undead', 'patient.erase'));
        await direct.set(recordKey(t, 'undead'), undead);
        await direct.set(recordKey(t, 'planted'), undead);
        await repo.create(t, 'unaudited', doc('No event'));
        await repo.create(t, 'vanished', doc('Vanished'), write('vanished'));
        await direct.del(recordKey(t, 'vanished'));
        await expect(findings(storage, t)).resolves.toEqual({
          breaks: [],
          records: [
            { id: 'planted', kind: 'unrecorded' },
            { id: 'rolled', kind: 'rolled_back' },
            { id: 'unaudited', kind: 'unrecorded' },
            { id: 'undead', kind: 'resurrected' },
            { id: 'vanished', kind: 'vanished' },
          ],
        });
      });

      it('holds a chain against its checkpoints: a truncated or rewritten chain no longer matches', async () => {
        const t = 't-truncate';
        const events = await chainOf(t, 6);
        const checkpoints = await checkpointsOf(storage.audit, t);
        expect(checkpoints).toEqual([
          { tenant: t, chain: events[0].chain, seq: 6, hash: events[5].hash },
        ]);
        await expect(findings(storage, t, checkpoints)).resolves.toEqual(clean);
        // The last two events go, and the head is set back to match: only the checkpoint tells.
        await direct.xdel(auditEventsKey(t), events[4].id, events[5].id);
        await direct.set(auditHeadKey(t, events[0].chain), `4 ${events[3].hash}`);
        await expect(findings(storage, t)).resolves.toEqual(clean);
        await expect(findings(storage, t, checkpoints)).resolves.toEqual({
          breaks: [{ chain: events[0].chain, seq: 5, kind: 'truncated' }],
          records: [],
        });
        const rewritten = [{ tenant: t, chain: events[0].chain, seq: 3, hash: events[4].hash }];
        await expect(findings(storage, t, rewritten)).resolves.toEqual({
          breaks: [{ chain: events[0].chain, seq: 3, kind: 'rewritten' }],
          records: [],
        });
      });

      it('accepts a trimmed chain from its checkpoint when its retention mark is gone, and names events deleted past the trim', async () => {
        const t = 't-trimmed';
        const events = await chainOf(t, 4);
        const atCut = await checkpointsOf(storage.audit, t);
        await pause(5);
        const cut = new Date();
        await pause(5);
        const later = await chainOf(t, 3);
        // What it trims includes the event edited in the first test of this block: it says so.
        await expect(storage.audit.trim(cut)).resolves.toMatchObject({ altered: 1 });
        await expect(findings(storage, t)).resolves.toEqual(clean);
        await direct.hdel(auditMarksKey(t), events[0].chain);
        await expect(findings(storage, t)).resolves.toEqual({
          breaks: [{ chain: events[0].chain, seq: 1, kind: 'missing' }],
          records: [],
        });
        await expect(findings(storage, t, atCut)).resolves.toEqual(clean);
        // Deleting the oldest kept event too is not retention.
        await direct.xdel(auditEventsKey(t), later[0].id);
        await expect(findings(storage, t, atCut)).resolves.toEqual({
          breaks: [{ chain: events[0].chain, seq: 1, kind: 'missing' }],
          records: [],
        });
      });

      it('names a forged retention mark', async () => {
        const t = 't-forged';
        const events = await chainOf(t, 3);
        await direct.xdel(auditEventsKey(t), events[0].id);
        await direct.hset(auditMarksKey(t), events[0].chain, `1 ${events[0].hash} ${GENESIS}`);
        const found = await findings(storage, t);
        expect(found.breaks).toEqual([{ chain: events[0].chain, seq: 1, kind: 'forged_mark' }]);
      });

      it('starts a new chain, and says so, when its stored head is not the one it wrote', async () => {
        const logger = collectingLogger();
        const writer = await redisStorage(
          redis,
          await context.secrets.source.recordKeys(),
          {},
          logger,
        );
        try {
          const t = 't-head';
          const [first] = await writer.audit.append(t, [auditEvent(t, ['p1'])]);
          await direct.set(auditHeadKey(t, first.chain), `9 ${GENESIS}`);
          const [next] = await writer.audit.append(t, [auditEvent(t, ['p1'])]);
          expect(next.chain).not.toBe(first.chain);
          expect(next).toMatchObject({ seq: 1, prev: GENESIS });
          expect(
            logger.lines.some((line) => line.startsWith('error') && line.includes(first.chain)),
          ).toBe(true);
          // The old chain's head says seq 9: events 2 to 9 are missing.
          const found = await findings(writer, t);
          expect(found.breaks).toEqual([{ chain: first.chain, seq: 2, kind: 'truncated' }]);
        } finally {
          await writer.close();
        }
      });
    });

    if (mode !== 'standalone') return;

    it('pages through 10,000 events with events appended between pages: nothing repeated, nothing skipped', async () => {
      const storage = await open();
      try {
        const t = 'paging';
        for (let i = 0; i < 100; i++) {
          await storage.audit.append(
            t,
            Array.from({ length: 100 }, (_, j) => auditEvent(t, [`p${(i * 100 + j) % 50}`])),
          );
        }
        const seen: string[] = [];
        let after: string | undefined;
        let appended = 0;
        for (;;) {
          const page = await storage.audit.readAll(t, 333, after);
          seen.push(...page.events.map((e) => e.id));
          await storage.audit.append(
            t,
            Array.from({ length: 7 }, () => auditEvent(t, ['late'])),
          );
          appended += 7;
          if (page.next === null) break;
          after = page.next;
        }
        // The tail appended after the last page is read from the last event's id.
        seen.push(
          ...(await storage.audit.readAll(t, 1000, seen[seen.length - 1])).events.map((e) => e.id),
        );
        expect(seen).toHaveLength(10000 + appended);
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort(byId)).toEqual(seen);
        expect(await direct.xlen(auditEventsKey(t))).toBe(seen.length);
      } finally {
        await storage.close();
      }
    });

    it('groups a burst of concurrent appends into a few round trips', async () => {
      const storage = await open();
      try {
        const calls = async () => {
          const stats = await direct.info('commandstats');
          return [...stats.matchAll(/^cmdstat_eval(?:sha)?:calls=(\d+)/gm)].reduce(
            (n, m) => n + Number(m[1]),
            0,
          );
        };
        const before = await calls();
        await Promise.all(
          Array.from({ length: 300 }, () =>
            storage.audit.append('burst', [auditEvent('burst', ['p1'])]),
          ),
        );
        expect((await calls()) - before).toBeLessThanOrEqual(5);
      } finally {
        await storage.close();
      }
    });

    it('continues its chain without a gap after an append that timed out but was stored', async () => {
      const storage = await open();
      try {
        const t = 'timed-out';
        await storage.audit.append(t, [auditEvent(t, ['p1'])]);
        // Redis holds the next script past the client's timeout, then runs it.
        await direct.call('CLIENT', 'PAUSE', '1500', 'WRITE');
        await expect(storage.audit.append(t, [auditEvent(t, ['p2'])])).rejects.toBeInstanceOf(
          StorageUnavailableError,
        );
        await pause(700);
        const [third] = await storage.audit.append(t, [auditEvent(t, ['p3'])]);
        expect(third.seq).toBe(3);
        const trail = (await storage.audit.readAll(t, 10)).events;
        expect(trail.map((e) => [e.seq, e.event.patientIds[0]])).toEqual([
          [1, 'p1'],
          [2, 'p2'],
          [3, 'p3'],
        ]);
        await expect(findings(storage, t)).resolves.toEqual(clean);
      } finally {
        await storage.close();
      }
    });

    it('rejects an append that Redis cannot take with StorageUnavailableError', async () => {
      const own = await startTestRedis(context.secrets, 'standalone');
      const storage = await redisStorage(own, await context.secrets.source.recordKeys());
      try {
        await storage.audit.append('down', [auditEvent('down', ['p1'])]);
        await own.stop();
        await expect(
          storage.audit.append('down', [auditEvent('down', ['p1'])]),
        ).rejects.toBeInstanceOf(StorageUnavailableError);
      } finally {
        await storage.close();
      }
    });
  });
}
