import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuditLog } from '../audit/audit-log';
import { AUDITED_ACTION, type AuditAction } from '../audit/audited.decorator';
import { answerFor } from '../common/errors/error-catalogue';
import { AppConfig } from '../config/app-config';
import { InsufficientScopeError, InvalidTokenError, MissingTokenError } from './auth-errors';
import { ANONYMOUS, type Principal, setPrincipal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPES } from './scopes';
import { TokenVerifier } from './token-verifier';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/**
 * Global guard: every route needs a valid bearer token with the route's scopes, except routes
 * marked @Public(). With AUTH_MODE=none everyone is let in (the original's open demo). A refusal
 * of an audited route is audited here: interceptors never see requests a guard turned away.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly verifier: TokenVerifier,
    private readonly audit: AuditLog,
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
    try {
      setPrincipal(req, await this.authorize(req.headers.authorization, required));
      return true;
    } catch (error) {
      const action = this.reflector.get<AuditAction | undefined>(
        AUDITED_ACTION,
        context.getHandler(),
      );
      if (action) this.audit.record(req, action, answerFor(error).auditOutcome);
      throw error;
    }
  }

  private async authorize(header: string | undefined, required: string[]): Promise<Principal> {
    if (header === undefined) throw new MissingTokenError();
    const match = BEARER.exec(header);
    if (!match)
      throw new InvalidTokenError('the Authorization header must be "Bearer <JWT>"', 'malformed');
    const principal = await this.verifier.verify(match[1]);
    const missing = required.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) throw new InsufficientScopeError(missing, required);
    return principal;
  }
}
