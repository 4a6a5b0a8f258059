import { createLocalJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { JSONWebKeySet } from 'jose';
import type { Agent } from 'node:https';
import { InvalidTokenError, TokenKeysUnavailableError } from './auth-errors';
import type { Principal } from './principal';
import { fetchJwks, RemoteKeySet } from './remote-key-set';

/** Asymmetric algorithms only: never `none`, never HS* (a public key must not become a MAC key). */
export const ALLOWED_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  /** Accepted `typ` header values; compared as media types (see mediaType). */
  tokenTypes: readonly string[];
  /** Refused this long after `iat`; an `exp` later than that is refused outright. */
  maxTokenAgeSeconds: number;
  /** The claim naming the caller's clinic (checked by the guard, so a 403 can say so). */
  tenantClaim: string;
}

export interface RemoteKeyOptions {
  cooldownSeconds: number;
  timeoutMs: number;
  agent?: Agent;
  onFetchFailed?: (reason: string) => void;
}

/** RFC 9110 §11.1: the scheme is case-insensitive (`bearer`, `BEARER`). */
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;

/** The JWT of an `Authorization: Bearer <JWT>` header; null for any other header. */
export function bearerTokenOf(header: string | undefined): string | null {
  return header === undefined ? null : (BEARER.exec(header)?.[1] ?? null);
}

/** A clinic's name, as tenants are named everywhere (it becomes part of storage keys). */
const TENANT = /^[A-Za-z0-9_.-]{1,64}$/;

/** Longest a `sub` may be (code points): it becomes the audit actor. */
const MAX_SUBJECT_LENGTH = 255;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

type KeySource = Parameters<typeof jwtVerify>[1];

/**
 * Verified tokens are remembered for a short while, so a client's every request does not pay for
 * a signature check (the largest single cost per request). Never past the token's `exp`, at most
 * a minute (how long a key withdrawn from the JWKS may still be honoured), and bounded in size.
 */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 10_000;
/** How long a fetched JWKS is used before it is fetched again. */
const JWKS_MAX_AGE_MS = 10 * 60_000;

/**
 * Verifies bearer tokens (jose): signature, algorithm, issuer, audience, exp/nbf/iat with skew,
 * and, per RFC 8725 and RFC 9068, the `typ` header, the token's age and a usable `sub`.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private readonly tokenTypes: ReadonlySet<string>;

  private constructor(
    private readonly keys: KeySource,
    private readonly options: TokenVerifierOptions,
  ) {
    this.tokenTypes = new Set(options.tokenTypes.map(mediaType));
  }

  /** Keys held locally (from the secret source). */
  static fromJwks(jwks: JSONWebKeySet, options: TokenVerifierOptions): TokenVerifier {
    return new TokenVerifier(createLocalJWKSet(jwks), options);
  }

  /** Keys from the identity provider's JWKS URL (see RemoteKeySet for when it is fetched). */
  static fromUrl(
    url: string,
    options: TokenVerifierOptions,
    remote: RemoteKeyOptions,
  ): TokenVerifier {
    const keySet = new RemoteKeySet(() => fetchJwks(new URL(url), remote.timeoutMs, remote.agent), {
      cooldownMs: remote.cooldownSeconds * 1000,
      maxAgeMs: JWKS_MAX_AGE_MS,
      onFetchFailed: remote.onFetchFailed,
    });
    return new TokenVerifier(keySet.getKey, options);
  }

  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit && hit.until > now) return hit.principal;
    if (hit) this.verified.delete(token);

    const { clockSkewSeconds: skew, maxTokenAgeSeconds: maxAge } = this.options;
    let payload: JWTPayload;
    let typ: unknown;
    try {
      ({
        payload,
        protectedHeader: { typ },
      } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: skew,
        // Also refuses an `iat` in the future beyond the skew (RFC 9068 requires `iat`).
        maxTokenAge: maxAge,
        requiredClaims: ['exp', 'sub', 'iat'],
      }));
    } catch (error) {
      if (error instanceof TokenKeysUnavailableError) throw error;
      if (error instanceof errors.JOSEError) throw new InvalidTokenError(reasonFor(error));
      throw error;
    }
    // RFC 9068 §4: an access token says so; a token without `typ` is refused too.
    if (typeof typ !== 'string' || !this.tokenTypes.has(mediaType(typ)))
      throw new InvalidTokenError('the token\'s "typ" header is not accepted');
    const exp = Number(payload.exp);
    const iat = Number(payload.iat);
    // A lifetime longer than any this API honours (or an `exp` of 1e400) is a misissued token.
    if (!Number.isFinite(exp) || exp > iat + maxAge + skew)
      throw new InvalidTokenError('the token\'s "exp" claim is not accepted');
    const subject = payload.sub;
    if (!isUsableSubject(subject))
      throw new InvalidTokenError('the token\'s "sub" claim is not accepted');

    const tenant = payload[this.options.tenantClaim];
    const principal = {
      subject,
      scopes: scopesOf(payload),
      ...(typeof tenant === 'string' && TENANT.test(tenant) ? { tenant } : {}),
      ...auditClaimsOf(payload),
    };
    this.remember(
      token,
      principal,
      Math.min(exp * 1000, (iat + maxAge) * 1000, now + CACHE_TTL_MS),
    );
    return principal;
  }

  private remember(token: string, principal: Principal, until: number): void {
    if (this.verified.size >= CACHE_MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, { principal, until });
  }
}

/**
 * A `typ` value as a media type to compare (RFC 8725 §3.11, RFC 7515 §4.1.9): case-insensitive,
 * and `application/` may be left out when no other slash appears (`application/at+jwt` is
 * `at+jwt`).
 */
export function mediaType(value: string): string {
  const type = value.toLowerCase();
  const bare = type.startsWith('application/') ? type.slice('application/'.length) : type;
  return bare.includes('/') ? type : bare;
}

/** A non-empty string of at most 255 characters, without control characters. */
function isUsableSubject(sub: unknown): sub is string {
  return (
    typeof sub === 'string' &&
    sub.length > 0 &&
    [...sub].length <= MAX_SUBJECT_LENGTH &&
    !CONTROL_CHARACTERS.test(sub)
  );
}

function scopesOf(payload: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  if (typeof payload.scope === 'string')
    payload.scope.split(' ').forEach((s) => s && scopes.add(s));
  const scp = payload.scp;
  if (Array.isArray(scp)) scp.forEach((s) => typeof s === 'string' && scopes.add(s));
  else if (typeof scp === 'string') scp.split(' ').forEach((s) => s && scopes.add(s));
  return scopes;
}

function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired)
    return error.claim === 'iat' ? 'the token is too old ("iat")' : 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'nbf'
      ? 'the token is not valid yet'
      : `the token's "${error.claim}" claim is not accepted`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm that is not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is signed with an unknown key';
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'the token signature is invalid';
  return 'the token is malformed';
}

/** The claims the audit trail records beside the subject: the client (RFC 9068 `client_id`, or `azp`) and `jti`. */
function auditClaimsOf(payload: JWTPayload): Pick<Principal, 'clientId' | 'tokenId'> {
  const client = payload.client_id ?? payload.azp;
  const plain = (value: unknown) =>
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 255 &&
    !CONTROL_CHARACTERS.test(value);
  return {
    ...(plain(client) ? { clientId: client as string } : {}),
    ...(plain(payload.jti) ? { tokenId: payload.jti } : {}),
  };
}
