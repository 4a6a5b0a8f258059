import { ExpressAdapter } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { auditContextOf } from './audit-context';

/**
 * Nest's Express adapter, holding an audited route's answer until its success is recorded: the
 * reply of a request whose outcome is not recorded yet records `success` (with the patients a
 * listing shows) and is sent only once the event is stored. An event that cannot be stored
 * fails the reply, which Nest hands to the problem filter (503): a record is never disclosed
 * unaudited. Errors record their own outcome where their answer is sent (the error catalogue),
 * and writes with their change: their replies pass straight through.
 *
 * Here rather than in an interceptor: an interceptor costs every request an observable chain,
 * this one promise per audited answer.
 */
export class AuditingExpressAdapter extends ExpressAdapter {
  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    const context = auditContextOf(response.req as Request);
    if (!context || context.recorded) return super.reply(response, body, statusCode) as unknown;
    return context
      .record('success', { shown: listedIds(body), withheld: withheldIds(body) })
      .then(() => super.reply(response, body, statusCode) as unknown);
  }
}

/** For listings: records withheld because they failed their integrity check. */
function withheldIds(result: unknown): string[] | undefined {
  const withheld = (result as { withheld?: unknown } | null)?.withheld;
  return Array.isArray(withheld) ? withheld.map(String) : undefined;
}

/** For listings: which patients were shown. */
function listedIds(result: unknown): string[] | undefined {
  const items = (result as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return undefined;
  return items.map((item) => String((item as { id?: unknown }).id));
}
