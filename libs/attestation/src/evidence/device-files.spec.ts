import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkfifo } from '../../test/fake-gramine-device';
import { MAX_DEVICE_FILE_BYTES, readDeviceFile, writeDeviceFile } from './device-files';

/** Opens the FIFO's writer end once a reader has it open, writes `data` and closes. */
async function writeWhenRead(path: string, data: Buffer): Promise<void> {
  for (;;) {
    try {
      const writer = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
      await writer.write(data);
      await writer.close();
      return;
    } catch {
      await sleep(5);
    }
  }
}

describe('attestation device files', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'device-files-'));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads a file whole, past one chunk', async () => {
    const data = randomBytes(40 * 1024);
    await writeFile(join(dir, 'quote'), data);
    await expect(readDeviceFile(join(dir, 'quote'))).resolves.toEqual(data);
  });

  it('refuses a file larger than any quote', async () => {
    await writeFile(join(dir, 'quote'), Buffer.alloc(MAX_DEVICE_FILE_BYTES + 1));
    await expect(readDeviceFile(join(dir, 'quote'))).rejects.toThrow(
      `more than ${MAX_DEVICE_FILE_BYTES} bytes`,
    );
  });

  it('reads a FIFO until its writer closes it', async () => {
    const path = join(dir, 'quote');
    await mkfifo(path);
    const data = randomBytes(600);
    const [read] = await Promise.all([readDeviceFile(path), writeWhenRead(path, data)]);
    expect(read).toEqual(data);
  });

  it('holds no thread while a FIFO nobody writes is read, and stops when aborted', async () => {
    const path = join(dir, 'quote');
    await mkfifo(path);
    await writeFile(join(dir, 'other'), 'still readable');
    const controller = new AbortController();
    // More pending reads than libuv has threads (4): a blocking read would take them all.
    const reads = Array.from({ length: 8 }, () =>
      readDeviceFile(path, controller.signal).then(
        () => 'read',
        (error: Error) => error.name,
      ),
    );
    await sleep(100);
    await expect(readFile(join(dir, 'other'), 'utf8')).resolves.toBe('still readable');
    controller.abort();
    await expect(Promise.all(reads)).resolves.toEqual(Array(8).fill('AbortError'));
  });

  it('fails at once, instead of waiting, to write a FIFO nobody reads', async () => {
    const path = join(dir, 'user_report_data');
    await mkfifo(path);
    await expect(writeDeviceFile(path, randomBytes(64))).rejects.toMatchObject({ code: 'ENXIO' });
  });

  it('writes a file, creating it', async () => {
    const data = randomBytes(64);
    await writeDeviceFile(join(dir, 'user_report_data'), data);
    await expect(readFile(join(dir, 'user_report_data'))).resolves.toEqual(data);
  });
});
