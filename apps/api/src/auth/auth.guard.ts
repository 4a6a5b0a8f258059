import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException, ProblemType } from '../common/problem/problem';
import { AuditLog } from '../audit/audit-log';
import { AUDITED_ACTION, type AuditAction } from '../audit/audited.decorator';
import { AppConfig } from '../config/app-config';
import { ANONYMOUS, setPrincipal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPES } from './scopes';
import { InvalidTokenError, TokenKeysUnavailableError, TokenVerifier } from './token-verifier';

const REALM = 'patient-api';

/**
 * Global guard: every route needs a valid bearer token with the route's scopes, except routes
 * marked @Public(). With AUTH_MODE=none everyone is let in (the original's open demo).
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
    const action = this.reflector.get<AuditAction | undefined>(
      AUDITED_ACTION,
      context.getHandler(),
    );
    const deny = (status: 401 | 403, problem: ProblemException): never => {
      if (action) this.audit.record(req, action, status === 401 ? 'unauthenticated' : 'forbidden');
      throw problem;
    };

    const header = req.headers.authorization;
    if (header === undefined) {
      deny(401, unauthorized('this call needs a bearer token', `Bearer realm="${REALM}"`));
    }
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(header ?? '');
    if (!match) {
      deny(
        401,
        unauthorized('the Authorization header must be "Bearer <JWT>"', invalidToken('malformed')),
      );
    }

    let principal;
    try {
      principal = await this.verifier.verify(match![1]);
    } catch (error) {
      if (error instanceof TokenKeysUnavailableError) {
        throw new ProblemException(
          {
            type: ProblemType.http,
            title: 'Service Unavailable',
            status: 503,
            detail: 'the keys to verify tokens could not be fetched; try again shortly',
          },
          { 'Retry-After': '5' },
        );
      }
      const reason = error instanceof InvalidTokenError ? error.message : 'the token is invalid';
      return deny(401, unauthorized(reason, invalidToken(reason)));
    }
    setPrincipal(req, principal);

    const required =
      this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
    const missing = required.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) {
      deny(
        403,
        new ProblemException(
          {
            type: ProblemType.forbidden,
            title: 'Forbidden',
            status: 403,
            detail: `the token lacks the scope ${missing.join(' ')}`,
          },
          {
            'WWW-Authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${required.join(' ')}"`,
          },
        ),
      );
    }
    return true;
  }
}

function invalidToken(description: string): string {
  return `Bearer realm="${REALM}", error="invalid_token", error_description="${description.replace(/"/g, "'")}"`;
}

function unauthorized(detail: string, challenge: string): ProblemException {
  return new ProblemException(
    { type: ProblemType.unauthorized, title: 'Unauthorized', status: 401, detail },
    { 'WWW-Authenticate': challenge },
  );
}
