import { importJWK, SignJWT } from 'jose';
import type { JsonWebKey } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { ALL_SCOPES } from './scopes';

export interface DevTokenOptions {
  scopes?: readonly string[];
  subject?: string;
  ttlSeconds?: number;
  /** The clinic; default DEV_TENANT. */
  tenant?: string;
}

/** The clinic dev tokens belong to unless told otherwise. */
export const DEV_TENANT = 'dev-clinic';

/**
 * A token signed with the dev profile's key, which the dev profile trusts; an RFC 9068 access
 * token (`typ: at+jwt`). Never for production.
 */
export async function mintDevToken(
  signingKey: JsonWebKey,
  config: AppConfig,
  options: DevTokenOptions = {},
): Promise<string> {
  const maxAge = config.auth.maxTokenAgeSeconds;
  // The API refuses a token whose lifetime exceeds AUTH_MAX_TOKEN_AGE_S.
  if (options.ttlSeconds !== undefined && options.ttlSeconds > maxAge)
    throw new Error(`a token may live at most AUTH_MAX_TOKEN_AGE_S (${maxAge} s)`);
  const ttlSeconds = options.ttlSeconds ?? Math.min(12 * 3600, maxAge);
  const key = await importJWK(signingKey as Parameters<typeof importJWK>[0], 'ES256');
  return new SignJWT({
    scope: (options.scopes ?? ALL_SCOPES).join(' '),
    [config.auth.tenantClaim]: options.tenant ?? DEV_TENANT,
  })
    .setProtectedHeader({ alg: 'ES256', kid: signingKey.kid as string | undefined, typ: 'at+jwt' })
    .setSubject(options.subject ?? 'dev-user')
    .setIssuer(config.auth.issuer)
    .setAudience(config.auth.audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key);
}
