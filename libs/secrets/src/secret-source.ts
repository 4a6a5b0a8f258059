import type { JsonWebKey } from 'node:crypto';

/** The API's TLS identity: certificate chain (leaf first) and private key, PEM. */
export interface ApiTlsMaterial {
  cert: string;
  key: string;
  /** The CA that issued the API certificate, when the source knows it (CAS exports it). */
  ca?: string;
}

/** What the API needs to talk to Redis over mutual TLS. */
export interface RedisTlsMaterial {
  ca: string;
  cert: string;
  key: string;
}

/** Record-encryption keys: one active key for writing, older ones for reading. */
export interface RecordKeyRing {
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** A JSON Web Key Set of public keys that may sign access tokens. */
export interface JwtVerificationKeys {
  keys: JsonWebKey[];
}

/**
 * Where the service's secrets come from: files injected by SCONE CAS, environment variables
 * filled by CAS, or a development PKI made on first start. Every method validates what it returns
 * and throws a SecretError naming the file or variable at fault.
 */
export abstract class SecretSource {
  abstract readonly kind: 'dev' | 'files' | 'env';
  abstract apiTls(): Promise<ApiTlsMaterial>;
  abstract redisTls(): Promise<RedisTlsMaterial>;
  abstract recordKeys(): Promise<RecordKeyRing>;
  /** The 32-byte key that MACs the audit trail's events. */
  abstract auditKey(): Promise<Buffer>;
  /** Null when the source holds no token keys (a JWKS URL must then be configured). */
  abstract jwtVerificationKeys(): Promise<JwtVerificationKeys | null>;
}

/** A secret is missing or unusable; the message names it and never contains secret material. */
export class SecretError extends Error {
  override readonly name = 'SecretError';
}
