import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildKeyRing, recordKeyId } from '@app/secrets';
import {
  AesGcmRecordCipher,
  createRedisClient,
  RecordCodec,
  RedisPatientRepository,
  type PatientDocument,
  type RedisClient,
} from '@app/storage';
import { startTestApi } from '@test/support/api';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import {
  inspectRedis,
  redisEnv,
  redisOptionsFor,
  startRedisFor,
} from '@test/support/redis-fixture';
import type { TestRedisServer } from '@test/support/redis-server';
import { seedWith } from '@test/support/seed';
import { apiBundle } from './ops-support';

const RECORDS = 4000;

/** `npm run keys:rotate` (the built command) moving every record from an old key to a new one. */
describe('record key rotation', () => {
  let secrets: DevSecrets;
  let redis: TestRedisServer;
  let direct: RedisClient;
  let dir: string;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const expected = new Map<string, PatientDocument>();

  beforeAll(async () => {
    secrets = await makeDevSecrets();
    redis = await startRedisFor(secrets);
    direct = await inspectRedis(secrets, redis);
    dir = await mkdtemp(join(tmpdir(), 'rotation-secrets-'));
    for (const name of [
      'api.crt',
      'api.key',
      'redis-ca.crt',
      'redis-client.crt',
      'redis-client.key',
      'jwt-keys.json',
    ]) {
      await cp(join(secrets.secretsDir, name), join(dir, name));
    }
    // Records written under the old key, as a server running before the rotation would.
    const repo = new RedisPatientRepository(
      createRedisClient(await redisOptionsFor(secrets, redis)),
      new RecordCodec(new AesGcmRecordCipher(buildKeyRing(oldKey))),
    );
    await repo.connect(5000);
    for (let i = 0; i < RECORDS; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, RECORDS - i) }, (_, j) => {
          const id = `rot-${String(i + j).padStart(5, '0')}`;
          const doc = {
            fields: seedWith({ fname: `Name${i + j}` }),
            score: 0.1,
            scoreModel: 'charlson-age-adjusted@1',
          };
          expected.set(id, doc);
          return repo.create(id, doc);
        }),
      );
    }
    await repo.onModuleDestroy();
    // The CAS policy (here: the operator) makes a new active key and keeps the old one for reading.
    await writeFile(join(dir, 'record-key'), newKey.toString('base64'));
    await writeFile(join(dir, 'record-key.previous'), oldKey.toString('hex'));
  });

  afterAll(async () => {
    direct?.disconnect();
    await redis?.stop();
    await rm(secrets.stateDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  const env = () => ({
    PATH: process.env.PATH ?? '',
    ...redisEnv(redis),
    SECRETS_SOURCE: 'files',
    SECRETS_DIR: dir,
    NODE_ENV: 'test',
  });

  /** Counts records per key id, straight from Redis. */
  async function keyCensus(): Promise<Record<string, number>> {
    const census: Record<string, number> = {};
    const keys = await direct.keys('patient:*');
    const values = await Promise.all(keys.map((k) => direct.get(k)));
    for (const value of values) {
      const kid = JSON.parse(value!).kid as string;
      census[kid] = (census[kid] ?? 0) + 1;
    }
    return census;
  }

  function runRotation(onProgress?: (seen: number, child: ReturnType<typeof spawn>) => void) {
    const child = spawn(process.execPath, [join(dirname(apiBundle()), 'keys-rotate.js')], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const seen = [...stderr.matchAll(/ (\d+)\/(\d+) records/g)].map((m) => Number(m[1]));
      if (seen.length > 0) onProgress?.(Math.max(...seen), child);
    });
    return new Promise<{
      code: number | null;
      signal: string | null;
      stdout: string;
      stderr: string;
    }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
  }

  it('reads records under the old key once the new key is active', async () => {
    const api = await startTestApi(secrets, {
      ...redisEnv(redis),
      SECRETS_SOURCE: 'files',
      SECRETS_DIR: dir,
    });
    try {
      for (const id of ['rot-00000', 'rot-01999', 'rot-03999']) {
        const res = await api.client.get(`/patient/${id}`);
        expect(res.status).toBe(200);
        expect(res.json().fname).toBe(expected.get(id)!.fields.fname);
      }
    } finally {
      await api.stop();
    }
    expect(await keyCensus()).toEqual({ [recordKeyId(oldKey)]: RECORDS });
  });

  it('survives being killed half-way, and a re-run moves every record to the new key, losing nothing', async () => {
    let killed = false;
    const first = await runRotation((seen, child) => {
      if (!killed && seen > 0 && seen < RECORDS) {
        killed = true;
        // Freeze writes so the kill lands mid-run, whatever the machine's speed.
        void direct.client('PAUSE', '3000', 'WRITE').then(() => child.kill('SIGKILL'));
      }
    });
    await direct.client('UNPAUSE');
    expect(first.signal).toBe('SIGKILL');
    const halfway = await keyCensus();
    expect(halfway[recordKeyId(newKey)]).toBeGreaterThan(0);
    expect(halfway[recordKeyId(oldKey)]).toBeGreaterThan(0);
    expect(halfway[recordKeyId(newKey)] + halfway[recordKeyId(oldKey)]).toBe(RECORDS);

    const second = await runRotation();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(`done: ${RECORDS} records, \\d+ re-encrypted, \\d+ already current, 0 gone`),
    );
    expect(second.stderr).toMatch(/rotating .* 4000\/4000 records/);
    expect(await keyCensus()).toEqual({ [recordKeyId(newKey)]: RECORDS });

    // Every record decrypts with the new key alone, unchanged (revision included).
    const onlyNew = new RecordCodec(new AesGcmRecordCipher(buildKeyRing(newKey)));
    for (const [id, doc] of expected) {
      const stored = onlyNew.open(id, (await direct.get(`patient:${id}`))!);
      expect(stored).toEqual({ id, rev: 1, doc });
    }
  });
});
