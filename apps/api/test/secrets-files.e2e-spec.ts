import { cp, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SECRET_FILES, SecretError } from '@app/secrets';
import { copySecrets } from '@test/support/dev-secrets';
import { SEED_FORM_BODY } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';

/** The production path: SECRETS_SOURCE=files (as SCONE CAS injects them) with Redis over mTLS. */
describe('SECRETS_SOURCE=files with STORAGE_DRIVER=redis', () => {
  const injected = useTestApi({
    redis: true,
    start: false,
    // Only the files the files source reads: what CAS injects, nothing of the dev CA's keys
    // (jwt-keys.json: the public keys that verify tokens).
    env: async ({ secrets, dir }) => {
      await copySecrets(secrets, dir);
      return { SECRETS_SOURCE: 'files', SECRETS_DIR: dir };
    },
  });
  const file = (name: string) => join(injected.dir, name);

  it('serves the original curl sequence with the injected certificates', async () => {
    const api = await injected.start();
    expect((await api.client.post('/patient/files_1', { form: SEED_FORM_BODY })).status).toBe(200);
    expect((await api.client.get('/patient/files_1')).json().fname).toBe('Jane');
    expect((await api.client.get('/score/files_1')).json().cci).toBe(2);
  });

  it('stops boot naming a missing file', async () => {
    const key = file(SECRET_FILES.redisKey);
    await cp(key, `${key}.bak`);
    await unlink(key);
    try {
      await expect(injected.start()).rejects.toThrow(
        new SecretError(`${key}: secret file missing`),
      );
    } finally {
      await cp(`${key}.bak`, key);
      await unlink(`${key}.bak`);
    }
  });

  it('stops boot naming an unparsable certificate', async () => {
    const cert = file(SECRET_FILES.apiCert);
    const original = await readFile(cert);
    await writeFile(cert, 'not a certificate');
    try {
      await expect(injected.start()).rejects.toThrow(`${cert}: no PEM certificate found`);
    } finally {
      await writeFile(cert, original);
    }
  });

  it('stops boot when a private key does not match its certificate', async () => {
    const key = file(SECRET_FILES.apiKey);
    const original = await readFile(key);
    await cp(file(SECRET_FILES.redisKey), key);
    try {
      await expect(injected.start()).rejects.toThrow(
        /api\.key does not match the certificate in .*api\.crt/,
      );
    } finally {
      await writeFile(key, original);
    }
  });
});
