import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { ProblemType } from '../problem/problem';
import { sendProblem } from '../problem/send-problem';

const JSON_TYPES = ['application/json', 'application/*+json'];
const FORM_TYPE = 'application/x-www-form-urlencoded';
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** body-parser error types, and the answer each gets. */
const PARSER_ERRORS: Record<
  string,
  { status: number; type: string; title: string; detail: string }
> = {
  'entity.parse.failed': {
    status: 400,
    type: ProblemType.malformedBody,
    title: 'Malformed body',
    detail: 'the body is not valid JSON',
  },
  'entity.too.large': {
    status: 413,
    type: ProblemType.payloadTooLarge,
    title: 'Payload too large',
    detail: 'the body is larger than this API accepts',
  },
  'parameters.too.many': {
    status: 413,
    type: ProblemType.payloadTooLarge,
    title: 'Payload too large',
    detail: 'the form has too many fields',
  },
  'charset.unsupported': {
    status: 415,
    type: ProblemType.unsupportedMediaType,
    title: 'Unsupported media type',
    detail: 'the body must be UTF-8',
  },
  'encoding.unsupported': {
    status: 415,
    type: ProblemType.unsupportedMediaType,
    title: 'Unsupported media type',
    detail: 'the body must not be compressed',
  },
};

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
      return sendProblem(res, {
        type: ProblemType.unsupportedMediaType,
        title: 'Unsupported media type',
        status: 415,
        detail: `send ${FORM_TYPE} or application/json`,
        instance: req.path,
      });
    }
    const parser = isJson ? json : form;
    parser(req, res, (error?: unknown) => {
      if (!error) return next();
      const known = PARSER_ERRORS[(error as { type?: string }).type ?? ''];
      sendProblem(res, {
        ...(known ?? {
          status: 400,
          type: ProblemType.malformedBody,
          title: 'Malformed body',
          detail: 'the body could not be read',
        }),
        instance: req.path,
      });
    });
  };
}
