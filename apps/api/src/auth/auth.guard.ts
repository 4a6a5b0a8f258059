import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import {
  InsufficientScopeError,
  InvalidTokenError,
  MissingTokenError,
  TenantMissingError,
} from './auth-errors';
import { ANONYMOUS, type Principal, setPrincipal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { EmergencyAccess } from './emergency-access';
import { ALLOWS_EMERGENCY_ACCESS, REQUIRED_SCOPES, Scope } from './scopes';
import { bearerTokenOf, TokenVerifier } from './token-verifier';

/**
 * Global guard: every route needs a valid bearer token with the route's scopes, except routes
 * marked @Public(). With AUTH_MODE=none everyone is let in (the original's open demo). A refusal
 * is an error like any other: the audit trail records it from the error catalogue's outcome.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly verifier: TokenVerifier,
    private readonly emergency: EmergencyAccess,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (this.config.auth.mode === 'none') {
      setPrincipal(req, ANONYMOUS);
      return true;
    }
    const principal = await this.authenticate(req);
    // Known from here on, so that the audit names the actor of a refusal too.
    setPrincipal(req, principal);
    if (principal.tenant === undefined) throw new TenantMissingError(this.config.auth.tenantClaim);
    const required =
      this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
    const missing = required.filter((scope) => !principal.scopes.has(scope));
    if (missing.length === 0) return true;
    const emergency =
      principal.scopes.has(Scope.patientsEmergency) &&
      this.reflector.get<boolean | undefined>(ALLOWS_EMERGENCY_ACCESS, context.getHandler());
    if (!emergency) throw new InsufficientScopeError(missing, required);
    this.emergency.grant(req, principal);
    return true;
  }

  private async authenticate(req: Request): Promise<Principal> {
    const header = req.headers.authorization;
    if (header === undefined) throw new MissingTokenError();
    // Node keeps only the first of repeated Authorization headers; a proxy may read another.
    if (authorizationHeaderCount(req.rawHeaders) > 1)
      throw new InvalidTokenError(
        'send one Authorization header',
        'more than one Authorization header',
      );
    const token = bearerTokenOf(header);
    if (token === null)
      throw new InvalidTokenError('the Authorization header must be "Bearer <JWT>"', 'malformed');
    return this.verifier.verify(token);
  }
}

function authorizationHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  // Names and values alternate.
  for (let i = 0; i < rawHeaders.length; i += 2)
    if (rawHeaders[i].toLowerCase() === 'authorization') count++;
  return count;
}
