import type { PatientDocument } from '@app/storage';
import { AesGcmRecordCipher } from '@app/storage/crypto/aes-gcm-record-cipher';
import { indexKey, recordKey } from '@app/storage/redis/redis-key-layout';
import { contractClient, testEnv } from '@test/support/api';
import { ApiProcess } from '@test/support/api-process';
import { seedWith } from '@test/support/seed';
import { useTestBed } from '@test/support/test-bed';
import {
  sealAsBeforeTenants,
  writeAsBeforeTenants,
} from '../../../../libs/storage/test/storage-kit';
import { listAll } from './ops-support';
import { runBuiltCommand } from './storage-ops';

const RECORDS = 3000;

/** `npm run tenants:migrate -- --tenant NAME` (the built command) on records of the code before tenants. */
describe('tenant migration', () => {
  const bed = useTestBed({ redis: true, direct: true });
  const expected = new Map<string, { rev: number; doc: PatientDocument }>();

  beforeAll(async () => {
    const cipher = new AesGcmRecordCipher(await bed.secrets.source.recordKeys());
    for (let i = 0; i < RECORDS; i += 300) {
      await Promise.all(
        Array.from({ length: 300 }, async (_, j) => {
          const id = `old-${String(i + j).padStart(5, '0')}`;
          const record = { rev: 1 + ((i + j) % 2), doc: oldDoc(i + j) };
          expected.set(id, record);
          const value = sealAsBeforeTenants(cipher, id, record.rev, record.doc);
          // old-00042 is missing from the old index, as the old create/erase race left records.
          await writeAsBeforeTenants(bed.direct, id, value, { listed: id !== 'old-00042' });
        }),
      );
    }
    // An old index entry whose create failed half-way.
    await bed.direct.zadd('patients:index', 0, 'old-orphan');
  });

  const env = () => ({ ...testEnv(bed.secrets), ...bed.redis.env() });
  const census = async () => ({
    old: (await bed.direct.keys('patient:old-*')).length,
    moved: (await bed.direct.keys('patient:{default}:*')).length,
  });

  it('refuses to run without a valid --tenant', async () => {
    for (const args of [[], ['--tenant', 'no spaces'], ['--tenant', 'a}b'], ['--tenants', 'x']]) {
      const run = await runBuiltCommand('tenants-migrate', env(), args);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^tenants:migrate: /);
    }
    expect(await census()).toEqual({ old: RECORDS, moved: 0 });
  });

  it('survives being killed half-way, and a re-run moves every record into the tenant, each in one piece', async () => {
    let killed = false;
    const args = ['--tenant', 'default'];
    const first = await runBuiltCommand('tenants-migrate', env(), args, (seen, child) => {
      if (!killed && seen > 0 && seen < RECORDS) {
        killed = true;
        // Freeze writes so the kill lands mid-run, whatever the machine's speed.
        void bed.direct.client('PAUSE', '3000', 'WRITE').then(() => child.kill('SIGKILL'));
      }
    });
    await bed.direct.client('UNPAUSE');
    expect(first.signal).toBe('SIGKILL');
    // Each record moved in one step: it is in the old layout or in the new one, never both.
    const halfway = await census();
    expect(halfway.old).toBeGreaterThan(0);
    expect(halfway.moved).toBeGreaterThan(0);
    expect(halfway.old + halfway.moved).toBe(RECORDS);

    const second = await runBuiltCommand('tenants-migrate', env(), args);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(
        `done: ${halfway.old} records, ${halfway.old} moved, 0 resumed, 0 gone, 1 orphan index entries dropped`,
      ),
    );
    expect(second.stderr).toMatch(
      new RegExp(`moving into tenant default .* ${halfway.old}/${halfway.old} records`),
    );
    expect(await census()).toEqual({ old: 0, moved: RECORDS });
    expect(await bed.direct.exists('patients:index')).toBe(0);
    expect(await bed.direct.zcard(indexKey('default'))).toBe(RECORDS);

    const third = await runBuiltCommand('tenants-migrate', env(), args);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('done: 0 records, 0 moved');
  });

  it('serves the moved records to the API, unchanged and listed (the one the old index missed too)', async () => {
    const api = await ApiProcess.start({ ...env(), AUTH_MODE: 'none' });
    const client = contractClient(api.url, bed.secrets.apiCa);
    try {
      await api.waitUntilReady(client);
      for (const id of ['old-00000', 'old-00042', 'old-02999']) {
        const res = await client.get(`/patient/${id}`);
        expect(res.status).toBe(200);
        expect(res.json()).toMatchObject({ id, fname: expected.get(id)!.doc.fields.fname });
        expect(res.headers.etag).toContain(String(expected.get(id)!.rev));
      }
      const listed = await listAll(client, 100);
      expect(listed).toEqual([...expected.keys()].sort());
    } finally {
      client.close();
      await api.kill();
    }
    // The tenant is now part of the authenticated data: the envelope does not open elsewhere.
    expect(JSON.parse((await bed.direct.get(recordKey('default', 'old-00000')))!)).toMatchObject({
      v: 2,
    });
  });
});

function oldDoc(n: number): PatientDocument {
  return {
    fields: seedWith({ fname: `Old${n}` }),
    score: 0.1,
    scoreModel: 'charlson-age-adjusted@1',
  };
}
