import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { splitCertificates } from './pem';
import { JwtVerificationKeys, SecretError } from './secret-source';

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** Parses a JWKS document; refuses private or symmetric keys, which must never verify tokens. */
export function parseJwks(text: string, label: string): JwtVerificationKeys {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretError(`${label}: not valid JSON`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new SecretError(`${label}: expected a JWKS object with a non-empty "keys" array`);
  }
  for (const key of keys as unknown[]) {
    if (typeof key !== 'object' || key === null || typeof (key as JsonWebKey).kty !== 'string') {
      throw new SecretError(`${label}: every key needs a "kty"`);
    }
    if ((key as JsonWebKey).kty === 'oct' || PRIVATE_JWK_MEMBERS.some((m) => m in key)) {
      throw new SecretError(
        `${label}: holds private or symmetric key material; give public keys only`,
      );
    }
  }
  return { keys: keys as JsonWebKey[] };
}

/** Public keys (or certificates) in PEM, as a JWKS. */
export function pemToJwks(pem: string, label: string): JwtVerificationKeys {
  const blocks = [...pem.matchAll(PEM_BLOCK)].map((m) => m[0]);
  if (blocks.length === 0) throw new SecretError(`${label}: no PEM public key found`);
  const keys = blocks.map((block) => {
    if (/PRIVATE KEY/.test(block)) {
      throw new SecretError(`${label}: holds a private key; give the public key only`);
    }
    try {
      const source = splitCertificates(block)[0] ?? block;
      return createPublicKey(source).export({ format: 'jwk' });
    } catch {
      throw new SecretError(`${label}: not a valid PEM public key or certificate`);
    }
  });
  return { keys };
}
