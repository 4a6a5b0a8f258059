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
    if (answer.log) this.logger.error(answer.log.message, answer.log.stack);
    sendErrorAnswer(http.getResponse<Response>(), answer, req.path);
  }
}
