/** No `Authorization` header at all (401 with a bare challenge). */
export class MissingTokenError extends Error {
  override readonly name = 'MissingTokenError';
  readonly code = 'token_missing' as const;
  constructor() {
    super('this call needs a bearer token');
  }
}

/** A token was refused; the message is safe to tell the caller (no token content). */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
  readonly code = 'token_invalid' as const;
  constructor(
    message: string,
    /** For the `WWW-Authenticate` challenge's `error_description`. */
    readonly description = message,
  ) {
    super(message);
  }
}

/** The token is valid but lacks a scope the route requires (403). */
export class InsufficientScopeError extends Error {
  override readonly name = 'InsufficientScopeError';
  readonly code = 'scope_missing' as const;
  constructor(
    readonly missing: readonly string[],
    readonly required: readonly string[],
  ) {
    super(`the token lacks the scope ${missing.join(' ')}`);
  }
}

/** The token is valid but names no clinic: it can reach no record (403). */
export class TenantMissingError extends Error {
  override readonly name = 'TenantMissingError';
  readonly code = 'tenant_missing' as const;
  constructor(readonly claim: string) {
    super(`the token names no clinic: its "${claim}" claim is missing or not a clinic name`);
  }
}

/** Emergency access without the reason it must give (403). */
export class BreakGlassReasonMissingError extends Error {
  override readonly name = 'BreakGlassReasonMissingError';
  readonly code = 'break_glass_reason_missing' as const;
  constructor() {
    super(
      'emergency access (the scope patients:emergency) needs the X-Break-Glass-Reason header: why this record must be read now',
    );
  }
}

/** The identity provider's keys could not be fetched: not the caller's fault (503). */
export class TokenKeysUnavailableError extends Error {
  override readonly name = 'TokenKeysUnavailableError';
  readonly code = 'token_keys_unavailable' as const;
}

export type AuthError =
  | MissingTokenError
  | InvalidTokenError
  | InsufficientScopeError
  | TenantMissingError
  | BreakGlassReasonMissingError
  | TokenKeysUnavailableError;
