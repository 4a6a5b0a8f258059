import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { InsufficientScopeError, InvalidTokenError, MissingTokenError } from './auth-errors';
import { ANONYMOUS, type Principal, setPrincipal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPES } from './scopes';
import { TokenVerifier } from './token-verifier';

/** RFC 9110 §11.1: the scheme is case-insensitive (`bearer`, `BEARER`). */
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;

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
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (this.config.auth.mode === 'none') {
      setPrincipal(req, ANONYMOUS);
      return true;
    }
    const required =
      this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
    setPrincipal(req, await this.authorize(req, required));
    return true;
  }

  private async authorize(req: Request, required: string[]): Promise<Principal> {
    const header = req.headers.authorization;
    if (header === undefined) throw new MissingTokenError();
    // Node keeps only the first of repeated Authorization headers; a proxy may read another.
    if (authorizationHeaderCount(req.rawHeaders) > 1)
      throw new InvalidTokenError(
        'send one Authorization header',
        'more than one Authorization header',
      );
    const match = BEARER.exec(header);
    if (!match)
      throw new InvalidTokenError('the Authorization header must be "Bearer <JWT>"', 'malformed');
    const principal = await this.verifier.verify(match[1]);
    const missing = required.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) throw new InsufficientScopeError(missing, required);
    return principal;
  }
}

function authorizationHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  // Names and values alternate.
  for (let i = 0; i < rawHeaders.length; i += 2)
    if (rawHeaders[i].toLowerCase() === 'authorization') count++;
  return count;
}
