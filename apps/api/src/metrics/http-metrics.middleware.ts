import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { METHODS } from 'node:http';
import type { AppMetrics, RecordChange } from './app-metrics';

/** Label of requests no route handled: unknown paths, and bodies refused before routing. */
export const UNMATCHED_ROUTE = 'unmatched';

const KNOWN_METHODS = new Set(METHODS);

/** Successful writes, by method, route template and status (the contract's answers). */
const RECORD_CHANGES: ReadonlyMap<string, RecordChange> = new Map([
  ['POST /patient/:id 200', 'created'],
  ['PUT /patient/:id 200', 'updated'],
  ['DELETE /patient/:id 204', 'deleted'],
]);

/**
 * Times every request and counts record changes. Registered before everything else, so it sees
 * requests refused early (body too large, rate limited, unauthenticated) too. The route label is
 * the matched route's template (`/patient/:id`), never the path asked for.
 */
export function httpMetrics(metrics: AppMetrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const stopTimer = metrics.httpRequestDuration.startTimer();
    metrics.httpRequestsInFlight.inc();
    res.once('close', () => {
      metrics.httpRequestsInFlight.dec();
      const method = KNOWN_METHODS.has(req.method) ? req.method : 'OTHER';
      const route = routeTemplate(req);
      // A client that went away before the answer was sent has no status to speak of.
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      stopTimer({ method, route, status });
      const change = RECORD_CHANGES.get(`${method} ${route} ${status}`);
      if (change) metrics.recordChanges.inc({ change });
    });
    next();
  };
}

/**
 * Express keeps in `req.route` the last route that matched. Middleware that Nest mounts for
 * every path is a wildcard route (`/{*path}`) too; our controllers have none, so a wildcard
 * means no controller route matched.
 */
function routeTemplate(req: Request): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && !path.includes('*')
    ? `${req.baseUrl}${path}`
    : UNMATCHED_ROUTE;
}
