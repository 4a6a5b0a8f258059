import { parseJwks, pemToJwks } from '../jwt-keys';
import { checkKeyPair, parseCertificate } from '../pem';
import { buildKeyRing, parseRecordKey } from '../record-keys';
import {
  ApiTlsMaterial,
  JwtVerificationKeys,
  RecordKeyRing,
  RedisTlsMaterial,
  SecretError,
  SecretSource,
} from '../secret-source';

/**
 * The variables the `env` source reads. A CAS policy fills them with `$$SCONE::name$$`
 * placeholders that the SCONE runtime replaces inside the enclave (docker/scone/).
 */
export const SECRET_VARIABLES = {
  apiCert: 'API_TLS_CERT',
  apiKey: 'API_TLS_KEY',
  apiCa: 'API_TLS_CA',
  redisCa: 'REDIS_TLS_CA',
  redisCert: 'REDIS_TLS_CERT',
  redisKey: 'REDIS_TLS_KEY',
  recordKey: 'RECORD_KEY',
  /** Older record keys, comma-separated, kept for reading. */
  previousRecordKeys: 'RECORD_KEYS_PREVIOUS',
  /** The audit trail's MAC key, base64 or hex. */
  auditKey: 'AUDIT_KEY',
  /** A JWKS document (JSON) or PEM public keys/certificates. */
  jwtPublicKeys: 'JWT_PUBLIC_KEYS',
} as const;

const PLACEHOLDER = '$$SCONE::';

export type SecretEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Secrets as PEM (or key text) in environment variables: what a CAS policy gives a service
 * through `environment:` with `$$SCONE::name$$` placeholders. Values are checked like the files
 * source does; errors name the variable, never its value.
 */
export class EnvSecretSource extends SecretSource {
  readonly kind = 'env' as const;

  constructor(private readonly env: SecretEnvironment) {
    super();
    // Every known variable is checked now, so a policy that was not applied stops boot at once,
    // even for secrets only some configurations read.
    for (const name of Object.values(SECRET_VARIABLES)) {
      if (env[name]?.includes(PLACEHOLDER)) {
        throw new SecretError(
          `${name} still holds a ${PLACEHOLDER}...$$ placeholder: the CAS policy was not applied ` +
            '(is the service running under SCONE, attested, with SCONE_CONFIG_ID set?)',
        );
      }
    }
  }

  apiTls(): Promise<ApiTlsMaterial> {
    return settle(() => {
      const { apiCert, apiKey, apiCa } = SECRET_VARIABLES;
      const cert = this.required(apiCert);
      const key = this.required(apiKey);
      checkKeyPair(cert, key, apiCert, apiKey);
      const ca = this.optional(apiCa);
      if (ca !== null) parseCertificate(ca, apiCa);
      return ca === null ? { cert, key } : { cert, key, ca };
    });
  }

  redisTls(): Promise<RedisTlsMaterial> {
    return settle(() => {
      const { redisCa, redisCert, redisKey } = SECRET_VARIABLES;
      const ca = this.required(redisCa);
      parseCertificate(ca, redisCa);
      const cert = this.required(redisCert);
      const key = this.required(redisKey);
      checkKeyPair(cert, key, redisCert, redisKey);
      return { ca, cert, key };
    });
  }

  recordKeys(): Promise<RecordKeyRing> {
    return settle(() => {
      const { recordKey, previousRecordKeys } = SECRET_VARIABLES;
      const active = parseTextKey(this.required(recordKey), recordKey);
      const previous = (this.optional(previousRecordKeys) ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .map((entry, index) => parseTextKey(entry, `${previousRecordKeys}[${index}]`));
      return buildKeyRing(active, previous);
    });
  }

  auditKey(): Promise<Buffer> {
    return settle(() => {
      const name = SECRET_VARIABLES.auditKey;
      return parseTextKey(this.required(name), name, 'an audit key');
    });
  }

  jwtVerificationKeys(): Promise<JwtVerificationKeys | null> {
    return settle(() => {
      const name = SECRET_VARIABLES.jwtPublicKeys;
      const value = this.optional(name);
      if (value === null) return null;
      return value.trimStart().startsWith('{') ? parseJwks(value, name) : pemToJwks(value, name);
    });
  }

  private required(name: string): string {
    const value = this.optional(name);
    if (value === null) throw new SecretError(`${name} is not set (SECRETS_SOURCE=env)`);
    return value;
  }

  private optional(name: string): string | null {
    const value = this.env[name];
    if (value === undefined || value.trim() === '') return null;
    // Orchestrators and .env files often carry PEM on one line with literal "\n".
    return value.includes('\n') ? value : value.replace(/\\n/g, '\n');
  }
}

/** Runs synchronous validation as the port's promise: a SecretError becomes a rejection. */
function settle<T>(read: () => T): Promise<T> {
  return new Promise((resolve) => resolve(read()));
}

/**
 * A record key from a variable: base64 or hex text only. Raw bytes cannot travel in an
 * environment variable (a CAS `binary` secret must be injected with `:base64` or `:hex`), and 32
 * printable characters would otherwise be mistaken for a raw key.
 */
function parseTextKey(text: string, label: string, what = 'a record key'): Buffer {
  const trimmed = text.trim();
  if (Buffer.byteLength(trimmed) === 32) {
    throw new SecretError(`${label}: ${what} must be 32 bytes as base64 or hex`);
  }
  return parseRecordKey(Buffer.from(trimmed, 'utf8'), label, what);
}
