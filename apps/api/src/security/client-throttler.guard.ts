import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { IS_PUBLIC } from '../auth/public.decorator';

/**
 * Rate limit per client address on the record routes (429 with Retry-After). Public routes
 * (health, metrics) are exempt: probes must never be throttled.
 */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
        context.getHandler(),
        context.getClass(),
      ]) ?? false,
    );
  }
}
