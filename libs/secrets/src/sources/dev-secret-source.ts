import { generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDevPki } from '../pki/dev-pki';
import { SECRET_FILES } from '../secret-files';
import { SecretError } from '../secret-source';
import { FilesSecretSource } from './files-secret-source';

/** Files the dev source writes besides the ones the `files` source reads. */
export const DEV_FILES = {
  apiCaKey: 'api-ca.key',
  redisCaKey: 'redis-ca.key',
  redisServerCert: 'redis.crt',
  redisServerKey: 'redis.key',
  jwtSigningKey: 'jwt-signing.jwk',
} as const;

/**
 * The embedded default for exploring the API: on first start it makes a PKI shaped like the CAS
 * policies, a record key, an audit key and a token-signing key in `<stateDir>/secrets/`, and
 * reuses them later.
 * Never for production: these keys sit on disk in the clear.
 */
export class DevSecretSource extends FilesSecretSource {
  override readonly kind = 'dev' as const;
  readonly secretsDir: string;

  private constructor(secretsDir: string) {
    super(secretsDir);
    this.secretsDir = secretsDir;
  }

  /** Makes the secrets folder on first use; later calls reuse it. */
  static async open(stateDir: string): Promise<DevSecretSource> {
    const dir = join(stateDir, 'secrets');
    if (!(await exists(join(dir, SECRET_FILES.apiCa)))) {
      if (await exists(dir)) {
        throw new SecretError(
          `${dir} is incomplete (${SECRET_FILES.apiCa} is missing); delete the folder to make a new dev PKI`,
        );
      }
      await generate(stateDir, dir);
    }
    await addAuditKey(dir);
    return new DevSecretSource(dir);
  }

  get apiCaPath(): string {
    return this.path(SECRET_FILES.apiCa);
  }

  /** The private JWK that signs dev tokens (trusted through jwt-keys.json). */
  async jwtSigningKey(): Promise<JsonWebKey> {
    return JSON.parse(await readFile(this.path(DEV_FILES.jwtSigningKey), 'utf8')) as JsonWebKey;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function newKeyFile(): string {
  return randomBytes(32).toString('base64') + '\n';
}

/** A folder made before the audit trail had a key gets one (once: never replaced). */
async function addAuditKey(dir: string): Promise<void> {
  try {
    await writeFile(join(dir, SECRET_FILES.auditKey), newKeyFile(), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

async function generate(stateDir: string, dir: string): Promise<void> {
  const pki = await createDevPki();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `dev-${randomBytes(6).toString('hex')}`;
  const signing = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  const verifying = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  const files: Record<string, string> = {
    [SECRET_FILES.apiCa]: pki.apiCa.cert,
    [DEV_FILES.apiCaKey]: pki.apiCa.key,
    // The chain (leaf, then CA) lets clients that trust only the CA build the path.
    [SECRET_FILES.apiCert]: pki.api.cert + pki.apiCa.cert,
    [SECRET_FILES.apiKey]: pki.api.key,
    [SECRET_FILES.redisCa]: pki.redisCa.cert,
    [DEV_FILES.redisCaKey]: pki.redisCa.key,
    [DEV_FILES.redisServerCert]: pki.redis.cert,
    [DEV_FILES.redisServerKey]: pki.redis.key,
    [SECRET_FILES.redisCert]: pki.redisClient.cert,
    [SECRET_FILES.redisKey]: pki.redisClient.key,
    [SECRET_FILES.recordKey]: randomBytes(32).toString('base64') + '\n',
    [SECRET_FILES.auditKey]: newKeyFile(),
    [DEV_FILES.jwtSigningKey]: JSON.stringify(signing, null, 2) + '\n',
    [SECRET_FILES.jwtJwks]: JSON.stringify({ keys: [verifying] }, null, 2) + '\n',
  };
  // Written into a scratch folder and renamed into place, so a crash or a second process
  // starting at the same moment never leaves a half-made PKI.
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const scratch = join(stateDir, `.secrets-${randomUUID()}`);
  await mkdir(scratch, { mode: 0o700 });
  try {
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(scratch, name), content, { mode: 0o600 });
    }
    await rename(scratch, dir);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    // Another process won the race: use its PKI.
    if (!(await exists(join(dir, SECRET_FILES.apiCa)))) throw error;
  }
}
