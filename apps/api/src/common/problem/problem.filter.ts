import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import {
  PatientExistsError,
  PatientNotFoundError,
  RecordIntegrityError,
  RevisionMismatchError,
  StorageUnavailableError,
} from '@app/storage';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { Problem, ProblemException, ProblemType } from './problem';
import { sendProblem } from './send-problem';

/** Seconds a client should wait before retrying while storage is unavailable. */
const STORAGE_RETRY_AFTER_SECONDS = '2';

interface Answer {
  problem: Problem;
  headers?: Record<string, string>;
}

/**
 * Turns every error into an RFC 9457 problem document. Domain errors map to their status here,
 * in one place; anything unexpected is logged and answered as a bare 500 without internals.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const { problem, headers } = this.answer(exception);
    sendProblem(res, { ...problem, instance: req.path }, headers);
  }

  private answer(exception: unknown): Answer {
    if (exception instanceof ProblemException) {
      return { problem: exception.problem, headers: { ...exception.headers } };
    }
    if (exception instanceof PatientNotFoundError) {
      return problem(404, ProblemType.notFound, 'Patient not found', 'no patient has this id');
    }
    if (exception instanceof PatientExistsError) {
      return problem(
        409,
        ProblemType.conflict,
        'Patient already exists',
        'a patient with this id already exists; use PUT to replace it',
      );
    }
    if (exception instanceof RevisionMismatchError) {
      return problem(
        412,
        ProblemType.preconditionFailed,
        'Precondition failed',
        'the patient was changed since you read it; read it again and retry with its new ETag',
      );
    }
    if (exception instanceof StorageUnavailableError) {
      return {
        ...problem(503, ProblemType.storageUnavailable, 'Storage unavailable', 'try again shortly'),
        headers: { 'Retry-After': STORAGE_RETRY_AFTER_SECONDS },
      };
    }
    if (exception instanceof RecordIntegrityError) {
      this.logger.error(`record integrity check failed (${exception.reason})`);
      return problem(
        500,
        ProblemType.integrity,
        'Record integrity check failed',
        'the stored record failed authentication and was not returned',
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 429) {
        // The throttler has set Retry-After on the response already.
        return problem(
          429,
          ProblemType.tooManyRequests,
          'Too many requests',
          'slow down and retry later',
        );
      }
      return problem(
        status,
        ProblemType.http,
        STATUS_CODES[status] ?? 'Error',
        messageOf(exception),
      );
    }
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`unhandled ${error.name}: ${error.message}`, error.stack);
    return problem(
      500,
      ProblemType.internal,
      'Internal error',
      'the request could not be completed',
    );
  }
}

function problem(status: number, type: string, title: string, detail?: string): Answer {
  return {
    problem: detail === undefined ? { type, title, status } : { type, title, status, detail },
  };
}

function messageOf(exception: HttpException): string | undefined {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return undefined;
}
