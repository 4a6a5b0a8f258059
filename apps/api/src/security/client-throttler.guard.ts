import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { bearerTokenOf, TokenVerifier } from '../auth/token-verifier';
import { AppConfig } from '../config/app-config';

/** How many clients' counter keys are remembered (then forgotten all at once). */
const KEY_CACHE_ENTRIES = 10_000;

/**
 * One budget per client across every route (429 with Retry-After): per token subject and clinic
 * when the request carries a valid token, per client address otherwise. Verifying the token
 * here costs nothing extra for a valid one (the verifier remembers it for the auth guard); an
 * invalid one counts against its address, so a flood of bad tokens is throttled too.
 */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  private readonly keys = new Map<string, string>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as Request;
    const token = bearerTokenOf(request.headers.authorization);
    if (token !== null && this.config.auth.mode === 'jwt') {
      try {
        const principal = await this.verifier.verify(token);
        return `sub:${principal.tenant ?? ''}:${principal.subject}`;
      } catch {
        // Not a client we know: counted by address.
      }
    }
    return `ip:${request.socket.remoteAddress ?? 'unknown'}`;
  }

  /**
   * The same key whatever the route, so the budget is the client's, not the route's; hashed, so
   * Redis never holds a subject or an address. Remembered for the clients seen lately.
   */
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    const of = `${name}:${tracker}`;
    let key = this.keys.get(of);
    if (key === undefined) {
      if (this.keys.size >= KEY_CACHE_ENTRIES) this.keys.clear();
      key = createHash('sha256').update(of).digest('hex');
      this.keys.set(of, key);
    }
    return key;
  }
}
