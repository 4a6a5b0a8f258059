import { constants } from 'node:fs';
import { open, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** The pseudo-file operations the Gramine provider needs; tests emulate the device through this. */
export interface AttestationFiles {
  /** Reads the whole file; gives up (rejects) once `signal` aborts. */
  readFile(path: string, signal?: AbortSignal): Promise<Buffer>;
  writeFile(path: string, data: Buffer, signal?: AbortSignal): Promise<void>;
}

/** An SGX quote with its certification data is a few KB; anything past this is not one. */
export const MAX_DEVICE_FILE_BYTES = 64 * 1024;
const CHUNK_BYTES = 16 * 1024;
const POLL_MS = 20;

/**
 * Reads and writes attestation pseudo-files so that no read can hold a libuv thread hostage.
 * Node's fs calls run on libuv's threadpool, and a blocking `open`/`read` there (a FIFO nobody
 * writes, say) parks a thread that `process.exit` then waits for forever: the process could no
 * longer end, SIGTERM or not. A FIFO is therefore opened with O_NONBLOCK and polled, so an abort
 * ends the read at once; other files are read as Gramine documents (plain open and read).
 */
export const nodeAttestationFiles: AttestationFiles = {
  readFile: readDeviceFile,
  writeFile: writeDeviceFile,
};

export async function readDeviceFile(path: string, signal?: AbortSignal): Promise<Buffer> {
  const fifo = await isFifo(path);
  const handle = await open(path, fifo ? constants.O_RDONLY | constants.O_NONBLOCK : 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      signal?.throwIfAborted();
      const chunk = Buffer.alloc(CHUNK_BYTES);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null));
      } catch (error) {
        if (!fifo || errorCode(error) !== 'EAGAIN') throw error;
        await sleep(POLL_MS, undefined, { signal }); // a writer, but nothing written yet
        continue;
      }
      if (bytesRead === 0) {
        if (!fifo || total > 0) return Buffer.concat(chunks, total);
        await sleep(POLL_MS, undefined, { signal }); // no writer yet
        continue;
      }
      total += bytesRead;
      if (total > MAX_DEVICE_FILE_BYTES) {
        throw new Error(`more than ${MAX_DEVICE_FILE_BYTES} bytes`);
      }
      chunks.push(chunk.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

export async function writeDeviceFile(
  path: string,
  data: Buffer,
  signal?: AbortSignal,
): Promise<void> {
  if (!(await isFifo(path))) return writeFile(path, data, { signal });
  // Without a reader this fails at once (ENXIO) instead of waiting for one.
  const handle = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    await handle.write(data);
  } finally {
    await handle.close();
  }
}

async function isFifo(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFIFO();
  } catch {
    return false; // the open that follows reports what is wrong
  }
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
