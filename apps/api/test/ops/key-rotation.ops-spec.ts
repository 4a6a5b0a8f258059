import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildKeyRing, recordKeyId, SECRET_FILES } from '@app/secrets';
import type { PatientDocument } from '@app/storage';
import { AesGcmRecordCipher } from '@app/storage/crypto/aes-gcm-record-cipher';
import { RecordCodec } from '@app/storage/crypto/record-codec';
import { indexKey, parseRecordKey, recordKey } from '@app/storage/redis/redis-key-layout';
import { contractClient, testEnv } from '@test/support/api';
import { ApiProcess } from '@test/support/api-process';
import { copySecrets, INJECTED_FILES } from '@test/support/dev-secrets';
import { redisOptionsFor } from '@test/support/redis-fixture';
import { seedWith } from '@test/support/seed';
import { useTestBed } from '@test/support/test-bed';
import {
  openStorage,
  sealAsBeforeTenants,
  writeAsBeforeTenants,
} from '../../../../libs/storage/test/storage-kit';
import { runBuiltCommand } from './storage-ops';

const TENANTS = ['default', 'clinic-b'];
const PER_TENANT = 2000;
const RECORDS = TENANTS.length * PER_TENANT;

/** `npm run keys:rotate` (the built command) moving every record from an old key to a new one. */
describe('record key rotation', () => {
  const bed = useTestBed({ redis: true, direct: true });
  let dir: string;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const expected = new Map<string, PatientDocument>();
  /** Records no index lists (the race of the code before atomic creates left such records). */
  const unlisted = [recordKey('default', 'rot-00007'), recordKey('clinic-b', 'rot-01234')];

  beforeAll(async () => {
    dir = await bed.tempDir('rotation-secrets-');
    await copySecrets(
      bed.secrets,
      dir,
      INJECTED_FILES.filter((name) => name !== SECRET_FILES.recordKey),
    );
    // Records written under the old key, as a server running before the rotation would.
    const before = await openStorage({
      driver: 'redis',
      redis: await redisOptionsFor(bed.secrets, bed.redis),
      keyRing: buildKeyRing(oldKey),
    });
    for (const tenant of TENANTS) {
      for (let i = 0; i < PER_TENANT; i += 200) {
        await Promise.all(
          Array.from({ length: 200 }, (_, j) => {
            const id = `rot-${String(i + j).padStart(5, '0')}`;
            const doc = {
              fields: seedWith({ fname: `Name${i + j}` }),
              score: 0.1,
              scoreModel: 'charlson-age-adjusted@1',
            };
            expected.set(recordKey(tenant, id), doc);
            return before.repository.create(tenant, id, doc);
          }),
        );
      }
    }
    await before.close();
    for (const key of unlisted) {
      const { tenant, id } = parseRecordKey(key)!;
      await bed.direct.zrem(indexKey(tenant), id);
    }
    // The CAS policy (here: the operator) makes a new active key and keeps the old one for reading.
    await writeFile(join(dir, SECRET_FILES.recordKey), newKey.toString('base64'));
    await writeFile(
      join(dir, `${SECRET_FILES.previousRecordKeyPrefix}previous`),
      oldKey.toString('hex'),
    );
  });

  const env = () => ({
    ...testEnv(bed.secrets),
    ...bed.redis.env(),
    SECRETS_SOURCE: 'files',
    SECRETS_DIR: dir,
  });

  /** Counts records per key id, straight from the keyspace. */
  async function keyCensus(): Promise<Record<string, number>> {
    const census: Record<string, number> = {};
    const keys = await bed.direct.keys('patient:*');
    const values = await Promise.all(keys.map((k) => bed.direct.get(k)));
    for (const value of values) {
      const kid = (JSON.parse(value!) as { kid: string }).kid;
      census[kid] = (census[kid] ?? 0) + 1;
    }
    return census;
  }

  it('reads records under the old key once the new key is active', async () => {
    const api = await ApiProcess.start({ ...env(), AUTH_MODE: 'none' });
    const client = contractClient(api.url, bed.secrets.apiCa);
    try {
      await api.waitUntilReady(client);
      for (const id of ['rot-00000', 'rot-00007', 'rot-01999']) {
        const res = await client.get(`/patient/${id}`);
        expect(res.status).toBe(200);
        expect(res.json().fname).toBe(expected.get(recordKey('default', id))!.fields.fname);
      }
    } finally {
      client.close();
      await api.kill();
    }
    expect(await keyCensus()).toEqual({ [recordKeyId(oldKey)]: RECORDS });
  });

  it('survives being killed half-way, and a re-run moves every record to the new key, listed or not, losing nothing', async () => {
    let killed = false;
    const first = await runBuiltCommand('keys-rotate', env(), [], (seen, child) => {
      if (!killed && seen > 0 && seen < RECORDS) {
        killed = true;
        // Freeze writes so the kill lands mid-run, whatever the machine's speed.
        void bed.direct.client('PAUSE', '3000', 'WRITE').then(() => child.kill('SIGKILL'));
      }
    });
    await bed.direct.client('UNPAUSE');
    expect(first.signal).toBe('SIGKILL');
    const halfway = await keyCensus();
    expect(halfway[recordKeyId(newKey)]).toBeGreaterThan(0);
    expect(halfway[recordKeyId(oldKey)]).toBeGreaterThan(0);
    expect(halfway[recordKeyId(newKey)] + halfway[recordKeyId(oldKey)]).toBe(RECORDS);

    const second = await runBuiltCommand('keys-rotate', env());
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(`done: ${RECORDS} records, \\d+ re-encrypted, \\d+ already current, 0 gone`),
    );
    expect(second.stdout).toContain(`every record is under the active key ${recordKeyId(newKey)}`);
    expect(second.stderr).toMatch(new RegExp(`rotating .* ${RECORDS}/${RECORDS} records`));
    expect(await keyCensus()).toEqual({ [recordKeyId(newKey)]: RECORDS });

    // Every record decrypts with the new key alone, unchanged (revision included), the
    // unlisted ones too.
    const onlyNew = new RecordCodec(new AesGcmRecordCipher(buildKeyRing(newKey)));
    for (const [key, doc] of expected) {
      const { tenant, id } = parseRecordKey(key)!;
      expect(onlyNew.open(tenant, id, (await bed.direct.get(key))!)).toEqual({
        tenant,
        id,
        rev: 1,
        doc,
      });
    }
    for (const key of unlisted) expect(expected.has(key)).toBe(true);
  });

  it('does not call every record current while one is still in the layout before tenants', async () => {
    const old = sealAsBeforeTenants(new AesGcmRecordCipher(buildKeyRing(oldKey)), 'old-1', 1, {
      fields: seedWith({}),
      score: 0.1,
      scoreModel: 'charlson-age-adjusted@1',
    });
    await writeAsBeforeTenants(bed.direct, 'old-1', old);
    try {
      const run = await runBuiltCommand('keys-rotate', env());
      expect(run.code).toBe(2);
      expect(run.stdout).not.toContain('every record is under the active key');
      expect(run.stderr).toContain(
        '1 records are still in the layout before tenants: run tenants:migrate',
      );
    } finally {
      await bed.direct.del('patient:old-1', 'patients:index');
    }
  });
});
