import type { Request, Response } from 'express';
import { answerFor } from '../common/errors/error-catalogue';
import { sendErrorAnswer } from '../common/problem/send-problem';
import type { AuditContext, AuditDetails } from './audit-context';

/**
 * Holds an audited request's answer until its success is recorded: the first `res.json` or
 * `res.send` of a request whose outcome is not recorded yet records `success` (with the
 * patients a listing shows), and sends the answer only once the event is stored. An event that
 * cannot be stored answers as its error does (503), so a record is never disclosed unaudited.
 * Errors record their own outcome where their answer is sent (the error catalogue), and writes
 * with their change: those answers pass straight through.
 *
 * At the Express level rather than as a Nest interceptor: one closure per audited request
 * instead of an observable chain per request, whatever the route.
 */
export function holdAnswerUntilRecorded(req: Request, res: Response, context: AuditContext) {
  const json = res.json;
  const send = res.send;
  const answer = (details: AuditDetails, sendIt: () => void): Response => {
    context.record('success', details).then(sendIt, (error: unknown) => {
      res.json = json;
      res.send = send;
      sendErrorAnswer(res, answerFor(error), req.path);
    });
    return res;
  };
  res.json = function auditedJson(this: Response, body?: unknown) {
    if (context.recorded) return json.call(res, body);
    return answer({ shown: listedIds(body), withheld: withheldIds(body) }, () =>
      json.call(res, body),
    );
  };
  res.send = function auditedSend(this: Response, body?: unknown) {
    if (context.recorded) return send.call(res, body);
    return answer({}, () => send.call(res, body));
  };
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
