import { once } from 'node:events';
import { destination as pinoDestination, type DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';

type AsyncStdout = ReturnType<typeof pinoDestination>;

/** The one stdout writer of the process, made on first use (never at import time). */
let stdout: { stream: DestinationStream; async?: AsyncStdout } | undefined;

/**
 * Where log lines go unless a test gives its own destination: one writer for the whole process,
 * shared by every logger, so lines never interleave.
 * - stdout is a terminal: human-readable lines (pino-pretty), written synchronously.
 * - otherwise: JSON lines, written asynchronously (a synchronous write per line made logging a
 *   quarter of the cost of a request), flushed by `flushLogs` before the process exits.
 */
export function stdoutDestination(): DestinationStream {
  if (!stdout) {
    if (process.stdout.isTTY) {
      const pretty = prettyFactory({
        colorize: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,context',
        messageFormat: '{if context}{context}: {end}{msg}',
        singleLine: true,
      });
      stdout = { stream: { write: (line: string) => process.stdout.write(pretty(line)) } };
    } else {
      const async = pinoDestination({ dest: 1, sync: false });
      stdout = { stream: async, async };
    }
  }
  return stdout.stream;
}

/**
 * Waits until every line logged so far is written to stdout (at most `timeoutMs`), then writes
 * whatever is still queued synchronously. Call it before `process.exit`, which would drop them.
 */
export async function flushLogs(timeoutMs = 1000): Promise<void> {
  const stream = stdout?.async;
  if (!stream) return;
  // An empty write is queued behind the write in progress, if any, and 'drain' follows it.
  const drained = once(stream, 'drain');
  stream.write('');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    drained.catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
  try {
    stream.flushSync();
  } catch {
    // Nothing more can be done about a stdout that is gone.
  }
}
