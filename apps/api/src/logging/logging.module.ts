import { type DynamicModule, Global, Module } from '@nestjs/common';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import { AppConfig } from '../config/app-config';
import { PATIENT_FIELDS } from '../patients/dto/patient-fields.dto';
import { AppLogger } from './app-logger';
import { stdoutDestination } from './log-destination';
import { RequestLog } from './request-log';

/**
 * Anything that could carry PHI or a credential is censored, wherever it appears in a line the
 * application logs (defence in depth: nothing logs headers, a query string or a body). The
 * record's fields come from the patient field list itself, so a new field is never forgotten.
 */
const SECRET_KEYS = ['authorization', 'cookie', 'token', 'body', 'query'];
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...[...SECRET_KEYS, ...PATIENT_FIELDS].flatMap((key) => [key, `*.${key}`]),
];

function appLoggerOptions(config: AppConfig): LoggerOptions {
  return { level: config.logLevel, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } };
}

/** Nest's logger for this configuration: every line the application logs, redacted. */
export function createAppLogger(config: AppConfig, destination?: DestinationStream): AppLogger {
  return new AppLogger(appLoggerOptions(config), destination ?? stdoutDestination());
}

/**
 * Logs (pino): Nest's logger (made by `createAppLogger`, handed to NestFactory) and the request
 * log, one line per request, both to the same destination: by default the process's one stdout
 * writer, so lines never interleave.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      providers: [
        {
          provide: RequestLog,
          // Its lines are built field by field from a fixed list (never a header, a query
          // string or a body), so there is nothing to redact.
          useFactory: () =>
            new RequestLog(pino({ level: config.logLevel }, destination ?? stdoutDestination())),
        },
      ],
      exports: [RequestLog],
    };
  }
}
