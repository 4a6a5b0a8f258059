import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJwks, pemToJwks } from '../jwt-keys';
import { checkKeyPair, parseCertificate } from '../pem';
import { buildKeyRing, parseRecordKey } from '../record-keys';
import { SECRET_FILES } from '../secret-files';
import {
  ApiTlsMaterial,
  JwtVerificationKeys,
  RecordKeyRing,
  RedisTlsMaterial,
  SecretError,
  SecretSource,
} from '../secret-source';

/**
 * Secrets as files in one folder: how SCONE CAS injects them into the enclave's in-memory file
 * system (`injection_files`), or a Kubernetes secret volume outside SGX.
 */
export class FilesSecretSource extends SecretSource {
  readonly kind: 'files' | 'dev' = 'files';

  constructor(private readonly dir: string) {
    super();
  }

  async apiTls(): Promise<ApiTlsMaterial> {
    const cert = await this.read(SECRET_FILES.apiCert);
    const key = await this.read(SECRET_FILES.apiKey);
    checkKeyPair(cert, key, this.path(SECRET_FILES.apiCert), this.path(SECRET_FILES.apiKey));
    const ca = await this.readOptional(SECRET_FILES.apiCa);
    if (ca !== null) parseCertificate(ca, this.path(SECRET_FILES.apiCa));
    return ca === null ? { cert, key } : { cert, key, ca };
  }

  async redisTls(): Promise<RedisTlsMaterial> {
    const ca = await this.read(SECRET_FILES.redisCa);
    parseCertificate(ca, this.path(SECRET_FILES.redisCa));
    const cert = await this.read(SECRET_FILES.redisCert);
    const key = await this.read(SECRET_FILES.redisKey);
    checkKeyPair(cert, key, this.path(SECRET_FILES.redisCert), this.path(SECRET_FILES.redisKey));
    return { ca, cert, key };
  }

  async recordKeys(): Promise<RecordKeyRing> {
    const active = parseRecordKey(
      await this.readBytes(SECRET_FILES.recordKey),
      this.path(SECRET_FILES.recordKey),
    );
    const names = (await readdir(this.dir)).filter((n) =>
      n.startsWith(SECRET_FILES.previousRecordKeyPrefix),
    );
    const previous = await Promise.all(
      names.sort().map(async (n) => parseRecordKey(await this.readBytes(n), this.path(n))),
    );
    return buildKeyRing(active, previous);
  }

  async auditKey(): Promise<Buffer> {
    const name = SECRET_FILES.auditKey;
    return parseRecordKey(await this.readBytes(name), this.path(name), 'an audit key');
  }

  async jwtVerificationKeys(): Promise<JwtVerificationKeys | null> {
    const jwks = await this.readOptional(SECRET_FILES.jwtJwks);
    if (jwks !== null) return parseJwks(jwks, this.path(SECRET_FILES.jwtJwks));
    const pem = await this.readOptional(SECRET_FILES.jwtPublicPem);
    return pem === null ? null : pemToJwks(pem, this.path(SECRET_FILES.jwtPublicPem));
  }

  protected path(name: string): string {
    return join(this.dir, name);
  }

  private async readBytes(name: string): Promise<Buffer> {
    try {
      return await readFile(this.path(name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'missing' : `unreadable (${code ?? 'error'})`;
      throw new SecretError(`${this.path(name)}: secret file ${reason}`);
    }
  }

  private async read(name: string): Promise<string> {
    return (await this.readBytes(name)).toString('utf8');
  }

  private async readOptional(name: string): Promise<string | null> {
    try {
      return await readFile(this.path(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new SecretError(`${this.path(name)}: secret file unreadable`);
    }
  }
}
