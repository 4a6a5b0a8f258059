import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET_FILES } from '../secret-files';
import { SecretError } from '../secret-source';
import { DevSecretSource } from './dev-secret-source';
import { FilesSecretSource } from './files-secret-source';

describe('the audit key', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-key-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const writeKey = (content: Buffer | string) =>
    writeFile(join(dir, SECRET_FILES.auditKey), content);

  it('is read from the audit-key file as 32 raw bytes, base64 or hex', async () => {
    const key = randomBytes(32);
    const source = new FilesSecretSource(dir);
    for (const content of [key, `${key.toString('base64')}\n`, key.toString('hex')]) {
      await writeKey(content);
      await expect(source.auditKey()).resolves.toEqual(key);
    }
  });

  it('stops the files source when missing or malformed, naming the file and not its content', async () => {
    const path = join(dir, SECRET_FILES.auditKey);
    await expect(new FilesSecretSource(dir).auditKey()).rejects.toThrow(
      new SecretError(`${path}: secret file missing`),
    );
    await writeKey('SENSITIVE-too-short');
    const error = await new FilesSecretSource(dir).auditKey().catch((e: Error) => e);
    expect(error).toEqual(
      new SecretError(`${path}: an audit key must be 32 bytes (raw, base64 or hex)`),
    );
    expect((error as Error).message).not.toContain('SENSITIVE');
  });

  it('is made by the dev source with its PKI, kept apart from the record key, and reused', async () => {
    const first = await DevSecretSource.open(dir);
    const key = await first.auditKey();
    expect(key).toHaveLength(32);
    const ring = await first.recordKeys();
    expect(ring.keys.get(ring.activeKeyId)).not.toEqual(key);
    const file = join(first.secretsDir, SECRET_FILES.auditKey);
    expect((await stat(file)).mode & 0o077).toBe(0);
    await expect((await DevSecretSource.open(dir)).auditKey()).resolves.toEqual(key);
  });

  it('is added, once, to a dev folder made before the audit trail had a key', async () => {
    const source = await DevSecretSource.open(dir);
    const file = join(source.secretsDir, SECRET_FILES.auditKey);
    await rm(file);
    const added = await (await DevSecretSource.open(dir)).auditKey();
    expect(added).toHaveLength(32);
    const kept = await readFile(file, 'utf8');
    await DevSecretSource.open(dir);
    expect(await readFile(file, 'utf8')).toBe(kept);
  });
});
