import { createHmac, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { CompactSign, exportJWK, importJWK, type JWTPayload } from 'jose';

export interface TestSigner {
  kid: string;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
}

/** A fresh ES256 key pair, as an identity provider would hold. */
export async function makeSigner(kid: string): Promise<TestSigner> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

export interface TokenClaims {
  iss: string;
  aud: string;
  sub?: string;
  scope?: string;
  scp?: string[];
  /** Seconds from now (negative: in the past). */
  expIn?: number;
  nbfIn?: number;
  /** Seconds from now of `iat` (default -5). */
  iatIn?: number;
  /** The header's `typ` (default `at+jwt`, RFC 9068); null leaves it out. */
  typ?: string | null;
  /** The clinic (claim `tenant`; default the dev tokens' `dev-clinic`); null leaves it out. */
  tenant?: string | null;
}

/** A really signed ES256 token. */
export async function signToken(
  signer: { privateJwk: JsonWebKey; kid?: string },
  claims: TokenClaims,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = {
    iss: claims.iss,
    aud: claims.aud,
    sub: claims.sub ?? 'clinician-1',
    iat: now + (claims.iatIn ?? -5),
    exp: now + (claims.expIn ?? 600),
  };
  if (claims.nbfIn !== undefined) payload.nbf = now + claims.nbfIn;
  if (claims.scope !== undefined) payload.scope = claims.scope;
  if (claims.scp !== undefined) payload.scp = claims.scp;
  if (claims.tenant !== null) payload.tenant = claims.tenant ?? 'dev-clinic';
  return signClaims(signer, payload, { typ: claims.typ === undefined ? 'at+jwt' : claims.typ });
}

/**
 * Signs these exact claims with ES256, whatever they hold: a string is signed verbatim (for
 * values JSON.stringify cannot write, such as `"exp":1e400`). `typ: null` leaves it out.
 */
export async function signClaims(
  signer: { privateJwk: JsonWebKey; kid?: string },
  claims: Record<string, unknown> | string,
  header: { typ?: string | null } = {},
): Promise<string> {
  const typ = header.typ === undefined ? 'at+jwt' : header.typ;
  const text = typeof claims === 'string' ? claims : JSON.stringify(claims);
  return new CompactSign(new TextEncoder().encode(text))
    .setProtectedHeader({
      alg: 'ES256',
      kid: signer.kid ?? (signer.privateJwk.kid as string),
      ...(typ === null ? {} : { typ }),
    })
    .sign(await importJWK(signer.privateJwk as Parameters<typeof importJWK>[0], 'ES256'));
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (`alg: none`), which must never be accepted. */
export function unsignedToken(payload: JWTPayload): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}

/** HS256 "signed" with a public key as the HMAC secret: the classic algorithm-confusion attack. */
export function hmacWithPublicKey(
  payload: JWTPayload,
  publicKeyText: string,
  kid?: string,
): string {
  const head = `${b64url({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64url(payload)}`;
  return `${head}.${createHmac('sha256', publicKeyText).update(head).digest('base64url')}`;
}

/** The same token with one claim changed and the original signature kept. */
export function tamper(token: string, changes: JWTPayload): string {
  const [head, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
  return `${head}.${b64url({ ...claims, ...changes })}.${signature}`;
}
