import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { principalOf, type Principal } from './principal';
import { Scope } from './scopes';

/** Who calls a record route: always of a clinic (the guard refuses a token without one). */
export interface Caller extends Principal {
  tenant: string;
}

/** The caller of this request, as the auth guard established it. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const principal = principalOf(context.switchToHttp().getRequest<Request>());
  // Unreachable past the guard; a route without it is a programming error, not a 401.
  if (principal?.tenant === undefined) throw new Error('no caller: the auth guard did not run');
  return principal as Caller;
});

/** Whether the caller may see a patient's identifiers (the SSN) in full. */
export function seesIdentifiers(caller: Caller): boolean {
  return caller.scopes.has(Scope.patientsIdentifiers);
}
