import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createSecretSource } from '../create-secret-source';
import { createDevPki, type DevPki } from '../pki/dev-pki';
import { recordKeyId } from '../record-keys';
import { SecretError } from '../secret-source';
import { EnvSecretSource, SECRET_VARIABLES } from './env-secret-source';

describe('EnvSecretSource', () => {
  let pki: DevPki;
  let env: Record<string, string>;
  const recordKey = randomBytes(32);
  const olderKeys = [randomBytes(32), randomBytes(32)];
  const auditKey = randomBytes(32);

  beforeAll(async () => {
    pki = await createDevPki();
  });

  beforeEach(() => {
    env = {
      API_TLS_CERT: pki.api.cert + pki.apiCa.cert,
      API_TLS_KEY: pki.api.key,
      API_TLS_CA: pki.apiCa.cert,
      REDIS_TLS_CA: pki.redisCa.cert,
      REDIS_TLS_CERT: pki.redisClient.cert,
      REDIS_TLS_KEY: pki.redisClient.key,
      RECORD_KEY: recordKey.toString('base64'),
      RECORD_KEYS_PREVIOUS: `${olderKeys[0].toString('hex')}, ${olderKeys[1].toString('base64')}`,
      AUDIT_KEY: auditKey.toString('base64'),
      UNRELATED: 'ignored',
    };
  });

  it('reads every secret from the environment', async () => {
    const source = new EnvSecretSource(env);
    expect(source.kind).toBe('env');
    await expect(source.apiTls()).resolves.toEqual({
      cert: env.API_TLS_CERT,
      key: env.API_TLS_KEY,
      ca: env.API_TLS_CA,
    });
    await expect(source.redisTls()).resolves.toEqual({
      ca: env.REDIS_TLS_CA,
      cert: env.REDIS_TLS_CERT,
      key: env.REDIS_TLS_KEY,
    });
    const ring = await source.recordKeys();
    expect(ring.activeKeyId).toBe(recordKeyId(recordKey));
    expect(ring.keys.get(ring.activeKeyId)).toEqual(recordKey);
    expect([...ring.keys.values()]).toEqual(expect.arrayContaining(olderKeys));
    expect(ring.keys.size).toBe(3);
    await expect(source.auditKey()).resolves.toEqual(auditKey);
    await expect(source.jwtVerificationKeys()).resolves.toBeNull();
  });

  it('is what createSecretSource makes for SECRETS_SOURCE=env', async () => {
    await expect(createSecretSource({ source: 'env', env })).resolves.toBeInstanceOf(
      EnvSecretSource,
    );
  });

  it('leaves out the API CA when it is not given', async () => {
    delete env.API_TLS_CA;
    await expect(new EnvSecretSource(env).apiTls()).resolves.toEqual({
      cert: env.API_TLS_CERT,
      key: env.API_TLS_KEY,
    });
  });

  it('accepts PEM with literal \\n, as orchestrators often pass it', async () => {
    env.API_TLS_CERT = env.API_TLS_CERT.replace(/\n/g, '\\n');
    env.API_TLS_KEY = env.API_TLS_KEY.replace(/\n/g, '\\n');
    const tls = await new EnvSecretSource(env).apiTls();
    expect(tls.cert).toBe(pki.api.cert + pki.apiCa.cert);
  });

  it('stops at once on an unreplaced CAS placeholder, naming the variable', () => {
    // A secret that this configuration may never read still stops boot.
    env.REDIS_TLS_KEY = '$$SCONE::redis_client_key$$';
    expect(() => new EnvSecretSource(env)).toThrow(
      new SecretError(
        'REDIS_TLS_KEY still holds a $$SCONE::...$$ placeholder: the CAS policy was not applied ' +
          '(is the service running under SCONE, attested, with SCONE_CONFIG_ID set?)',
      ),
    );
  });

  it.each(Object.values(SECRET_VARIABLES))('checks %s for placeholders', (name) => {
    env[name] = `prefix $$SCONE::${name.toLowerCase()}:crt$$`;
    expect(() => new EnvSecretSource(env)).toThrow(`${name} still holds a $$SCONE::`);
  });

  it.each(['API_TLS_CERT', 'API_TLS_KEY'])('names a missing %s', async (name) => {
    delete env[name];
    await expect(new EnvSecretSource(env).apiTls()).rejects.toThrow(
      new SecretError(`${name} is not set (SECRETS_SOURCE=env)`),
    );
  });

  it.each(['REDIS_TLS_CA', 'REDIS_TLS_CERT', 'REDIS_TLS_KEY'])(
    'names a missing %s',
    async (name) => {
      env[name] = '  ';
      await expect(new EnvSecretSource(env).redisTls()).rejects.toThrow(`${name} is not set`);
    },
  );

  it('names the variable of a key that does not match its certificate, without its value', async () => {
    env.API_TLS_KEY = pki.redisClient.key;
    const error = await new EnvSecretSource(env).apiTls().catch((e: Error) => e);
    expect(error).toEqual(
      new SecretError('API_TLS_KEY does not match the certificate in API_TLS_CERT'),
    );
    expect((error as Error).message).not.toContain('PRIVATE KEY');
  });

  it('names an unparsable certificate and never echoes it', async () => {
    env.REDIS_TLS_CA = 'SENSITIVE-not-a-certificate';
    const error = await new EnvSecretSource(env).redisTls().catch((e: Error) => e);
    expect(error).toEqual(new SecretError('REDIS_TLS_CA: no PEM certificate found'));
    expect((error as Error).message).not.toContain('SENSITIVE');
  });

  it('reads record keys as base64 or hex only', async () => {
    env.RECORD_KEY = recordKey.toString('hex');
    await expect(new EnvSecretSource(env).recordKeys()).resolves.toMatchObject({
      activeKeyId: recordKeyId(recordKey),
    });
    // 32 printable characters would pass for 32 raw bytes; a variable cannot carry raw bytes.
    env.RECORD_KEY = 'a'.repeat(32);
    await expect(new EnvSecretSource(env).recordKeys()).rejects.toThrow(
      new SecretError('RECORD_KEY: a record key must be 32 bytes as base64 or hex'),
    );
    delete env.RECORD_KEY;
    await expect(new EnvSecretSource(env).recordKeys()).rejects.toThrow('RECORD_KEY is not set');
  });

  it('reads the audit key as base64 or hex only, and needs it', async () => {
    env.AUDIT_KEY = auditKey.toString('hex');
    await expect(new EnvSecretSource(env).auditKey()).resolves.toEqual(auditKey);
    env.AUDIT_KEY = 'a'.repeat(32);
    await expect(new EnvSecretSource(env).auditKey()).rejects.toThrow(
      new SecretError('AUDIT_KEY: an audit key must be 32 bytes as base64 or hex'),
    );
    env.AUDIT_KEY = 'SENSITIVE';
    const error = await new EnvSecretSource(env).auditKey().catch((e: Error) => e);
    expect((error as Error).message).not.toContain('SENSITIVE');
    delete env.AUDIT_KEY;
    await expect(new EnvSecretSource(env).auditKey()).rejects.toThrow('AUDIT_KEY is not set');
  });

  it('names the bad entry of RECORD_KEYS_PREVIOUS', async () => {
    env.RECORD_KEYS_PREVIOUS = `${olderKeys[0].toString('hex')},SENSITIVE`;
    const error = await new EnvSecretSource(env).recordKeys().catch((e: Error) => e);
    expect(error).toEqual(
      new SecretError(
        'RECORD_KEYS_PREVIOUS[1]: a record key must be 32 bytes (raw, base64 or hex)',
      ),
    );
  });

  it('reads token verification keys as a JWKS document or as PEM', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' };
    env.JWT_PUBLIC_KEYS = JSON.stringify({ keys: [jwk] });
    await expect(new EnvSecretSource(env).jwtVerificationKeys()).resolves.toEqual({
      keys: [jwk],
    });
    env.JWT_PUBLIC_KEYS = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const fromPem = await new EnvSecretSource(env).jwtVerificationKeys();
    expect(fromPem?.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
  });

  it('refuses private key material as token verification keys', async () => {
    env.JWT_PUBLIC_KEYS = pki.api.key;
    await expect(new EnvSecretSource(env).jwtVerificationKeys()).rejects.toThrow(
      'JWT_PUBLIC_KEYS: holds a private key; give the public key only',
    );
  });
});
