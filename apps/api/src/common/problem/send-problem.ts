import type { Response } from 'express';
import { recordAuditOutcome } from '../../audit/audit-context';
import type { ErrorAnswer } from '../errors/error-catalogue';
import { Problem, PROBLEM_CONTENT_TYPE } from './problem';

/** Writes a problem document; the one place that sets its media type. */
export function sendProblem(
  res: Response,
  problem: Problem,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** Answers the request at `instance` as the error catalogue says, and tells the audit why. */
export function sendErrorAnswer(res: Response, answer: ErrorAnswer, instance: string): void {
  recordAuditOutcome(res.req, answer.auditOutcome);
  const { status, type, title, detail, errors } = answer;
  const problem: Problem = {
    type,
    title,
    status,
    ...(detail !== undefined ? { detail } : {}),
    instance,
    ...(errors ? { errors } : {}),
  };
  sendProblem(res, problem, answer.headers);
}
