import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Level, type Logger, type LoggerOptions } from 'pino';

/** Nest's own start-up chatter (a line per module and per route): debug, not info. */
const NEST_INTERNALS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** How Nest's exception handlers pass a stack: `error(message, stack)`. */
const STACK = /\n\s*at /;

/**
 * Nest's logger, from the first line of boot to the last of shutdown: every `Logger` call goes
 * straight to pino (nothing is buffered). A line about a request names it (`reqId`) itself: no
 * async context is kept per request, which would cost every promise of every request.
 */
export class AppLogger implements LoggerService {
  private readonly root: Logger;

  constructor(options: LoggerOptions, destination: DestinationStream) {
    this.root = pino(options, destination);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write(NEST_INTERNALS.has(contextOf(params)) ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    // Nest reports a failed boot here, stack and all, before rethrowing it to main, which
    // logs it as one line: once is enough.
    if (contextOf(params) === 'ExceptionHandler') return;
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes the logger's context last: `log(message, ...args, context)`. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    const logger = this.root;
    const fields: Record<string, unknown> = {};
    const args = params.slice(0, -1);
    if (params.length > 0) fields.context = params[params.length - 1];
    if (message instanceof Error) {
      logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      logger[level]({ ...fields, ...message }, ...(args as [string?]));
    } else if (level === 'error' && typeof args[0] === 'string' && STACK.test(args[0])) {
      const err = new Error(String(message));
      err.stack = args[0];
      logger.error({ ...fields, err }, String(message));
    } else {
      logger[level](fields, String(message));
    }
  }
}

function contextOf(params: unknown[]): string {
  const last = params[params.length - 1];
  return typeof last === 'string' ? last : '';
}
