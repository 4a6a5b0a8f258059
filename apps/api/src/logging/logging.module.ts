import { DynamicModule } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule, type Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { AppConfig } from '../config/app-config';
import { PATIENT_FIELDS } from '../patients/dto/patient-fields.dto';
import { AppLogger } from './app-logger';
import { stdoutDestination } from './log-destination';

/**
 * Anything that could carry PHI or a credential is censored, wherever it appears in a log line
 * (defence in depth: the serializers below already log no headers, no query and no body). The
 * record's fields come from the patient field list itself, so a new field is never forgotten.
 */
const SECRET_KEYS = ['authorization', 'cookie', 'token', 'body', 'query'];
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...[...SECRET_KEYS, ...PATIENT_FIELDS].flatMap((key) => [key, `*.${key}`]),
];

/** The id the request-id middleware gave the request (every request has one by now). */
function requestId(req: IncomingMessage): string {
  const id = (req as { id?: unknown }).id;
  return typeof id === 'string' ? id : randomUUID();
}

/** The path of a request URL, without its query string (which may carry PHI). */
export function pathOf(url: string | undefined): string {
  const text = url ?? '';
  const end = text.search(/[?#]/);
  return end === -1 ? text : text.slice(0, end);
}

const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/**
 * A 503 is the expected answer while storage is down or the process stops: a warning, like a
 * 4xx, not an error. Any other 5xx is ours to fix.
 */
function levelOf(res: ServerResponse, error?: Error): 'info' | 'warn' | 'error' {
  if (res.statusCode >= 500 && res.statusCode !== 503) return 'error';
  if (res.statusCode >= 400 || error) return 'warn';
  return 'info';
}

/**
 * pino and pino-http settings: one line per request with its id, and the same id on every line
 * logged while handling it. No headers, no query string, no body, no PHI, no stack.
 */
function httpLoggerOptions(config: AppConfig): PinoHttpOptions {
  return {
    level: config.logLevel,
    genReqId: requestId,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: pathOf(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => levelOf(res, error),
    // pino-http adds `err` (with a made-up stack) to every 5xx line; a request line says what
    // happened, and the code that failed logs its own error once.
    customErrorObject: (_req, _res, _error, line: Record<string, unknown>) => ({
      res: line.res,
      responseTime: line.responseTime,
    }),
    customErrorMessage: () => 'request completed',
    autoLogging: { ignore: (req) => QUIET_PATHS.includes(pathOf(req.url)) },
  };
}

/**
 * nestjs-pino's parameters. Every pino logger made from them writes to the same destination:
 * by default the process's one stdout writer.
 */
export function loggerParams(config: AppConfig, destination?: DestinationStream): Params {
  return { pinoHttp: [httpLoggerOptions(config), destination ?? stdoutDestination()] };
}

/** Nest's logger for this configuration: the same level, redaction and destination. */
export function createAppLogger(config: AppConfig, destination?: DestinationStream): AppLogger {
  return new AppLogger(
    { level: config.logLevel, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } },
    destination ?? stdoutDestination(),
  );
}

/** Structured JSON logs (pino), with the request logger as Express middleware. */
export function loggingModule(config: AppConfig, destination?: DestinationStream): DynamicModule {
  return LoggerModule.forRoot(loggerParams(config, destination));
}
