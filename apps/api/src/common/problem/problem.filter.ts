import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { answerFor } from '../errors/error-catalogue';
import { sendErrorAnswer } from './send-problem';

/**
 * Turns every error into an RFC 9457 problem document, as the error catalogue says; errors that
 * are ours (a bug, a tampered record) are logged, and a 500 never carries internals.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const answer = answerFor(exception);
    if (answer.log) {
      const { message, stack } = answer.log;
      const err = stack === undefined ? undefined : Object.assign(new Error(message), { stack });
      this.logger.error({ reqId: req.id, ...(err ? { err } : {}) }, message);
    }
    sendErrorAnswer(http.getResponse<Response>(), answer, req.path);
  }
}
