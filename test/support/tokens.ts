import { createHmac, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { exportJWK, importJWK, SignJWT, type JWTPayload } from 'jose';

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
}

/** A really signed ES256 token. */
export async function signToken(
  signer: { privateJwk: JsonWebKey; kid?: string },
  claims: TokenClaims,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { sub: claims.sub ?? 'clinician-1' };
  if (claims.scope !== undefined) payload.scope = claims.scope;
  if (claims.scp !== undefined) payload.scp = claims.scp;
  let jwt = new SignJWT(payload)
    .setProtectedHeader({
      alg: 'ES256',
      kid: signer.kid ?? (signer.privateJwk.kid as string),
      typ: 'JWT',
    })
    .setIssuer(claims.iss)
    .setAudience(claims.aud)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (claims.expIn ?? 600));
  if (claims.nbfIn !== undefined) jwt = jwt.setNotBefore(now + claims.nbfIn);
  return jwt.sign(await importJWK(signer.privateJwk as Parameters<typeof importJWK>[0], 'ES256'));
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
