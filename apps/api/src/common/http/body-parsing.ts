import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { answerFor, unsupportedMediaTypeAnswer } from '../errors/error-catalogue';
import { sendErrorAnswer } from '../problem/send-problem';

const JSON_TYPES = ['application/json', 'application/*+json'];
const FORM_TYPE = 'application/x-www-form-urlencoded';
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Parses JSON and form bodies within a size limit, and answers malformed, oversized or
 * wrongly typed bodies with a problem document before any route runs.
 */
export function bodyParsing(limitBytes: number): RequestHandler {
  const json = express.json({ limit: limitBytes, strict: true, type: JSON_TYPES });
  const form = express.urlencoded({ limit: limitBytes, extended: false, parameterLimit: 100 });

  return (req: Request, res: Response, next: NextFunction) => {
    if (!METHODS_WITH_BODY.has(req.method)) return next();
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      Number(req.headers['content-length'] ?? 0) > 0;
    const isJson = Boolean(req.is(JSON_TYPES));
    const isForm = Boolean(req.is(FORM_TYPE));
    if (hasBody && !isJson && !isForm) {
      const answer = unsupportedMediaTypeAnswer([FORM_TYPE, 'application/json']);
      return sendErrorAnswer(res, answer, req.path);
    }
    const parser = isJson ? json : form;
    parser(req, res, (error?: unknown) => {
      if (!error) return next();
      sendErrorAnswer(res, answerFor(error), req.path);
    });
  };
}
