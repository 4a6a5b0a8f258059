import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import type { IncomingMessage } from 'node:http';
import { answerFor, unsupportedMediaTypeAnswer } from '../errors/error-catalogue';
import { sendErrorAnswer } from '../problem/send-problem';

const JSON_TYPES = ['application/json', 'application/*+json'];
const FORM_TYPE = 'application/x-www-form-urlencoded';
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** True when the request's Content-Length announces more than `limitBytes`. */
export function declaresBodyOver(req: IncomingMessage, limitBytes: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limitBytes;
}

/** The error body-parser raises for an oversized body, so the catalogue answers both alike. */
function tooLargeError(): Error {
  return Object.assign(new Error('request entity too large'), {
    type: 'entity.too.large',
    status: 413,
    expose: true,
  });
}

/**
 * Parses JSON and form bodies within a size limit, and answers malformed, oversized or
 * wrongly typed bodies with a problem document before any route runs.
 */
export function bodyParsing(limitBytes: number): RequestHandler {
  const json = express.json({ limit: limitBytes, strict: true, type: JSON_TYPES });
  const form = express.urlencoded({ limit: limitBytes, extended: false, parameterLimit: 100 });

  return (req: Request, res: Response, next: NextFunction) => {
    if (declaresBodyOver(req, limitBytes)) {
      // At once, from the header: body-parser would first read the whole body. The unread body
      // leaves the connection unusable, so it is closed after the answer.
      res.setHeader('Connection', 'close');
      return sendErrorAnswer(res, answerFor(tooLargeError()), req.path);
    }
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
