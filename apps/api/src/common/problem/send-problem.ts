import type { Response } from 'express';
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
