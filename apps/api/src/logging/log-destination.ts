import { once } from 'node:events';
import { destination as pinoDestination, type DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';

type AsyncStdout = ReturnType<typeof pinoDestination>;

/**
 * Lines are written in batches of this many bytes, or after this long, whichever comes first:
 * under load one write every dozen lines instead of one per line (each a trip through libuv's
 * thread pool, which cost more CPU than building the line), and an idle service's last line is
 * on stdout within a tenth of a second. (sonic-boom wants the batch below 16 KiB.)
 */
const WRITE_BATCH_BYTES = 8 * 1024;
const FLUSH_INTERVAL_MS = 100;

/** The one stdout writer of the process, made on first use (never at import time). */
let stdout: { stream: DestinationStream; async?: AsyncStdout } | undefined;

/**
 * Where log lines go unless a test gives its own destination: one writer for the whole process,
 * shared by every logger, so lines never interleave.
 * - stdout is a terminal: human-readable lines (pino-pretty), written synchronously.
 * - otherwise: JSON lines, written asynchronously in batches (a synchronous write per line made
 *   logging a quarter of the cost of a request), flushed by `flushLogs` before the process exits.
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
      const async = pinoDestination({
        dest: 1,
        sync: false,
        minLength: WRITE_BATCH_BYTES,
        periodicFlush: FLUSH_INTERVAL_MS,
      });
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
  // What is batched goes out now, behind the write in progress if any; 'drain' follows it.
  const drained = once(stream, 'drain');
  stream.flush();
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
