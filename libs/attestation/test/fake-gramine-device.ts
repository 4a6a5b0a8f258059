import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { fakeSgxQuote } from './fake-quote';

const run = promisify(execFile);

/** A named pipe: a file whose reader waits until someone writes (coreutils' mkfifo). */
export async function mkfifo(path: string): Promise<void> {
  await run('mkfifo', ['-m', '600', path]);
}

export interface FakeGramineDevice {
  dir: string;
  mrenclave: Buffer;
  /** The quotes handed out so far, in order. */
  served: Buffer[];
  /** Stops answering (a reader still waiting then waits for nothing). */
  close(): Promise<void>;
}

export interface FakeGramineOptions {
  /** What `attestation_type` says; `dcap` by default. */
  attestationType?: string;
  /**
   * `quotes` (default): like Gramine, each read of `quote` gets a quote over whatever was last
   * written to `user_report_data`. `silent`: `quote` is a FIFO nobody writes, so a read of it
   * waits forever, as one does when the host's quoting enclave never answers.
   */
  mode?: 'quotes' | 'silent';
  /** Quotes from a debug enclave. */
  debug?: boolean;
}

/**
 * Gramine's /dev/attestation in a folder, dynamic like the real one: `quote` is a FIFO, and when
 * a reader opens it this device reads `user_report_data` and writes a quote over those bytes
 * (shaped like a DCAP quote, unsigned), then puts a fresh FIFO in its place for the next reader.
 * It never blocks a thread: the writer end is opened with O_NONBLOCK and polled.
 */
export async function fakeGramineDevice(
  dir: string,
  options: FakeGramineOptions = {},
): Promise<FakeGramineDevice> {
  const quotePath = join(dir, 'quote');
  await writeFile(join(dir, 'attestation_type'), `${options.attestationType ?? 'dcap'}\n`);
  await mkfifo(quotePath);
  const mrenclave = randomBytes(32);
  const served: Buffer[] = [];
  let stopped = false;

  const answerReaders = async () => {
    while (!stopped) {
      let writer;
      try {
        // Succeeds only once a reader has the FIFO open (ENXIO before).
        writer = await open(quotePath, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        await sleep(5);
        continue;
      }
      try {
        const next = join(dir, `quote.next-${served.length}`);
        await mkfifo(next);
        await rename(next, quotePath);
        const reportData = await readFile(join(dir, 'user_report_data'));
        const quote = fakeSgxQuote({ mrenclave, reportData, debug: options.debug });
        await writer.write(quote);
        served.push(quote);
      } catch {
        // The reader went away (EPIPE): nothing to answer.
      } finally {
        await writer.close();
      }
    }
  };
  const answering = options.mode === 'silent' ? Promise.resolve() : answerReaders();

  return {
    dir,
    mrenclave,
    served,
    close: async () => {
      stopped = true;
      await answering;
    },
  };
}
