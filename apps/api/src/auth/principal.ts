import type { Request } from 'express';
import { ALL_SCOPES } from './scopes';

/** Who is calling: the token's subject and scopes (or the anonymous demo caller). */
export interface Principal {
  subject: string;
  scopes: ReadonlySet<string>;
  /** The clinic the token belongs to (its tenant claim); the only records it can reach. */
  tenant?: string;
  /** The OAuth client the token was issued to (`azp` or `client_id`), for the audit trail. */
  clientId?: string;
  /** The token's `jti`, for the audit trail. */
  tokenId?: string;
}

/** The tenant of the original's open demo (AUTH_MODE=none): one clinic, as the original was. */
export const DEMO_TENANT = 'default';

/** The caller of the original's open demo (AUTH_MODE=none), who may do everything. */
export const ANONYMOUS: Principal = {
  subject: 'anonymous',
  scopes: new Set(ALL_SCOPES),
  tenant: DEMO_TENANT,
};

const PRINCIPAL = Symbol('principal');

export function setPrincipal(req: Request, principal: Principal): void {
  (req as unknown as Record<symbol, Principal>)[PRINCIPAL] = principal;
}

export function principalOf(req: Request): Principal | undefined {
  return (req as unknown as Record<symbol, Principal | undefined>)[PRINCIPAL];
}
