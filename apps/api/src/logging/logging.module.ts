import { DynamicModule } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { destination as pinoDestination, type DestinationStream } from 'pino';
import { AppConfig } from '../config/app-config';

/**
 * Anything that could carry PHI or a credential is censored, wherever it appears in a log line
 * (defence in depth: the serializers below already log no headers and no bodies).
 */
const PHI_FIELDS = ['ssn', 'dob', 'fname', 'lname', 'address', 'city', 'email', 'contactphone'];
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'body',
  '*.body',
  'authorization',
  '*.authorization',
  'token',
  '*.token',
  ...PHI_FIELDS,
  ...PHI_FIELDS.map((field) => `*.${field}`),
];

/** The id the request-id middleware gave the request (every request has one by now). */
function requestId(req: IncomingMessage): string {
  const id = (req as { id?: unknown }).id;
  return typeof id === 'string' ? id : randomUUID();
}

const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/**
 * Structured JSON logs (pino): one line per request with its id, and the same id on every line
 * logged while handling it. No headers, no bodies, no PHI.
 */
export function loggingModule(config: AppConfig, destination?: DestinationStream): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        level: config.logLevel,
        genReqId: requestId,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        serializers: {
          req: (req: { id: unknown; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            url: req.url,
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
        customLogLevel: (_req, res, error) =>
          error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        autoLogging: { ignore: (req) => QUIET_PATHS.includes(req.url ?? '') },
      },
      // Asynchronous writes to stdout (buffered, flushed on exit): a synchronous write per line
      // made logging a quarter of the cost of a request.
      destination ?? pinoDestination({ dest: 1, sync: false }),
    ],
  });
}
