import pino from 'pino';
import { flushLogs, stdoutDestination } from './log-destination';

/**
 * Writes every log line still queued, then ends the process. `process.exit` alone would drop
 * the lines an asynchronous destination has not written yet (the last ones: why it stopped).
 */
export async function exitProcess(code: number, flushTimeoutMs?: number): Promise<never> {
  await flushLogs(flushTimeoutMs);
  process.exit(code);
}

/**
 * One `fatal` line on stdout, whatever LOG_LEVEL says and even before the configuration is
 * known (a boot failure, an uncaught error), then the exit.
 */
export async function exitWithFatal(message: string, error?: unknown): Promise<never> {
  const logger = pino({ level: 'info' }, stdoutDestination());
  if (error instanceof Error) logger.fatal({ err: error }, message);
  else logger.fatal(message);
  return exitProcess(1);
}
