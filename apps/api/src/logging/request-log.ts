import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import pino, { type Level, type Logger } from 'pino';

/** Probes and scrapes: frequent, and told by their own metrics. */
const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

const STARTED = Symbol('started');

/** What a request line says of a request: its id, method and path, its status and duration. */
export interface RequestSummary {
  req: { id: string | undefined; method: string | undefined; url: string };
  res: { statusCode: number };
  /** Milliseconds from arrival to the end of the answer. */
  responseTime: number;
}

/** The path of a request URL, without its query string (which may carry PHI). */
export function pathOf(url: string | undefined): string {
  const text = url ?? '';
  const end = text.search(/[?#]/);
  return end === -1 ? text : text.slice(0, end);
}

/**
 * A 503 is the expected answer while storage is down or the process stops: a warning, like a
 * 4xx, not an error. Any other 5xx is ours to fix.
 */
export function levelOfStatus(status: number): Level {
  if (status >= 500 && status !== 503) return 'error';
  if (status >= 400) return 'warn';
  return 'info';
}

/** The more severe of two levels (pino's own level numbers). */
export function severest(a: Level, b: Level): Level {
  const { values } = pino.levels;
  return values[a] >= values[b] ? a : b;
}

/**
 * One line per request, when its answer ends (or its client leaves): `request completed` with
 * the request's id, method, path (no query string), status and duration. No header, no body, no
 * PHI. An audited request's line is its audit line instead, which says all of this too (see
 * AuditTrail): one line per request either way.
 */
export class RequestLog {
  constructor(readonly logger: Logger) {}

  /** Express middleware, first of all: times the request and writes its line at the end. */
  middleware(skip: (req: Request) => boolean): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      (req as unknown as Record<symbol, number>)[STARTED] = Date.now();
      res.once('close', () => {
        if (skip(req) || QUIET_PATHS.has(pathOf(req.originalUrl))) return;
        const summary = this.summaryOf(req, res);
        this.logger[levelOfStatus(summary.res.statusCode)](summary, 'request completed');
      });
      next();
    };
  }

  /** The request's part of its line. */
  summaryOf(req: IncomingMessage, res: ServerResponse): RequestSummary {
    const started = (req as unknown as Record<symbol, number | undefined>)[STARTED];
    return {
      req: {
        id: req.id,
        method: req.method,
        url: pathOf((req as Partial<Request>).originalUrl ?? req.url),
      },
      // A client that left before its answer ended: what it had been sent, if anything.
      res: { statusCode: res.statusCode },
      responseTime: started === undefined ? 0 : Date.now() - started,
    };
  }
}
