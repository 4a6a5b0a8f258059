import { SetMetadata } from '@nestjs/common';

/** What a token may do, by its `scope` (space-separated) or `scp` (array) claim. */
export const Scope = {
  patientsRead: 'patients:read',
  patientsWrite: 'patients:write',
  patientsDelete: 'patients:delete',
  scoresRead: 'scores:read',
} as const;

export type ScopeName = (typeof Scope)[keyof typeof Scope];
export const ALL_SCOPES: readonly ScopeName[] = Object.values(Scope);

export const REQUIRED_SCOPES = Symbol('requiredScopes');

/** The scopes a route needs (all of them). */
export const RequireScopes = (...scopes: ScopeName[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_SCOPES, scopes);
