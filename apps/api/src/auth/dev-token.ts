import { importJWK, SignJWT } from 'jose';
import type { JsonWebKey } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { ALL_SCOPES } from './scopes';

export interface DevTokenOptions {
  scopes?: readonly string[];
  subject?: string;
  ttlSeconds?: number;
}

/** A token signed with the dev profile's key, which the dev profile trusts. Never for production. */
export async function mintDevToken(
  signingKey: JsonWebKey,
  config: AppConfig,
  options: DevTokenOptions = {},
): Promise<string> {
  const key = await importJWK(signingKey as Parameters<typeof importJWK>[0], 'ES256');
  return new SignJWT({ scope: (options.scopes ?? ALL_SCOPES).join(' ') })
    .setProtectedHeader({ alg: 'ES256', kid: signingKey.kid as string | undefined, typ: 'JWT' })
    .setSubject(options.subject ?? 'dev-user')
    .setIssuer(config.auth.issuer)
    .setAudience(config.auth.audience)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 12 * 3600}s`)
    .sign(key);
}
