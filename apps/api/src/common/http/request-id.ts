import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Gives every request the service's own id (answered as `X-Request-Id`), first of all, so that
 * even a request refused before routing has one. A client's own `X-Request-Id` is never used in
 * its place: the audit keeps it beside ours.
 */
export function requestIds(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = randomUUID();
    req.id = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
}

declare module 'node:http' {
  interface IncomingMessage {
    /** The service's own id for the request (set first of all by `requestIds`). */
    id?: string;
  }
}
