import { NotFoundException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { answerFor } from '../common/errors/error-catalogue';
import { sendErrorAnswer } from '../common/problem/send-problem';

/** Which listener accepted a request: the one that carries PHI, or the management one. */
export type Listener = 'api' | 'management';

const LISTENER = Symbol('listener');

export function markListener(req: IncomingMessage, listener: Listener): void {
  (req as unknown as Record<symbol, Listener>)[LISTENER] = listener;
}

function listenerOf(req: IncomingMessage): Listener {
  return (req as unknown as Record<symbol, Listener | undefined>)[LISTENER] ?? 'api';
}

/** What watching the service needs, and nothing about a patient: metrics, the contract, docs. */
const OPERATIONS = /^\/(metrics|docs|openapi\.(json|yaml))(\/|$)/;
/** Probes answer on both listeners. */
const HEALTH = /^\/health(\/|$)/;

/**
 * Which paths each listener serves. The management listener serves the operations surface and
 * health, nothing else. The API listener serves everything, except the operations surface when
 * `operationsOnApiListener` is false (production): anyone who reaches the PHI port must not
 * watch clinical activity or fingerprint the runtime.
 */
export function surfaces(operationsOnApiListener: boolean): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const operations = OPERATIONS.test(req.path);
    const allowed =
      listenerOf(req) === 'management'
        ? operations || HEALTH.test(req.path)
        : operationsOnApiListener || !operations;
    if (allowed) return next();
    sendErrorAnswer(res, answerFor(new NotFoundException()), req.path);
  };
}
