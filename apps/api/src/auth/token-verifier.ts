import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { JSONWebKeySet } from 'jose';
import type { Agent } from 'node:https';
import { InvalidTokenError, TokenKeysUnavailableError } from './auth-errors';
import type { Principal } from './principal';

/** Asymmetric algorithms only: never `none`, never HS* (a public key must not become a MAC key). */
export const ALLOWED_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
}

type KeySource = Parameters<typeof jwtVerify>[1];

/**
 * Verified tokens are remembered for a short while, so a client's every request does not pay for
 * a signature check (the largest single cost per request). Never past the token's `exp`, at most
 * a minute (how long a key withdrawn from the JWKS may still be honoured), and bounded in size.
 */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 10_000;

/** Verifies bearer tokens (jose): signature, algorithm, issuer, audience, exp/nbf with skew. */
export class TokenVerifier {
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  private constructor(
    private readonly keys: KeySource,
    private readonly options: TokenVerifierOptions,
  ) {}

  /** Keys held locally (from the secret source). */
  static fromJwks(jwks: JSONWebKeySet, options: TokenVerifierOptions): TokenVerifier {
    return new TokenVerifier(createLocalJWKSet(jwks), options);
  }

  /** Keys from the identity provider's JWKS URL: cached, refetched when an unknown kid appears. */
  static fromUrl(
    url: string,
    options: TokenVerifierOptions & { cooldownSeconds: number },
    agent?: Agent,
  ): TokenVerifier {
    const keys = createRemoteJWKSet(new URL(url), {
      agent,
      cooldownDuration: options.cooldownSeconds * 1000,
      cacheMaxAge: 10 * 60_000,
      timeoutDuration: 5_000,
    });
    return new TokenVerifier(keys, options);
  }

  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit && hit.until > now) return hit.principal;
    if (hit) this.verified.delete(token);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: this.options.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        throw new TokenKeysUnavailableError('token keys could not be fetched', { cause: error });
      }
      throw new InvalidTokenError(reasonFor(error));
    }
    const principal = { subject: String(payload.sub), scopes: scopesOf(payload) };
    this.remember(token, principal, Math.min(Number(payload.exp) * 1000, now + CACHE_TTL_MS));
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
  if (error instanceof errors.JWTExpired) return 'the token has expired';
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
