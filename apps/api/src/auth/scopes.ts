import { SetMetadata } from '@nestjs/common';

/** What a token may do, by its `scope` (space-separated) or `scp` (array) claim. */
export const Scope = {
  patientsRead: 'patients:read',
  patientsWrite: 'patients:write',
  patientsDelete: 'patients:delete',
  scoresRead: 'scores:read',
  /** The SSN in full; without it, answers carry it masked (`***-**-2345`). */
  patientsIdentifiers: 'patients:identifiers',
  /** Emergency access ("break the glass"): read one record of the own clinic, with a reason. */
  patientsEmergency: 'patients:emergency',
  /** The audit trail: a patient's accounting of disclosures, and the whole trail for a SIEM. */
  auditRead: 'audit:read',
} as const;

export type ScopeName = (typeof Scope)[keyof typeof Scope];
export const ALL_SCOPES: readonly ScopeName[] = Object.values(Scope);

export const REQUIRED_SCOPES = Symbol('requiredScopes');

/** The scopes a route needs (all of them). */
export const RequireScopes = (...scopes: ScopeName[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_SCOPES, scopes);

export const ALLOWS_EMERGENCY_ACCESS = Symbol('allowsEmergencyAccess');

/**
 * The route may also be called with `patients:emergency` instead of its scopes, giving a reason
 * in `X-Break-Glass-Reason` (HIPAA 164.312(a)(2)(ii)); never across clinics.
 */
export const AllowsEmergencyAccess = (): MethodDecorator =>
  SetMetadata(ALLOWS_EMERGENCY_ACCESS, true);
