import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useApiProcess } from '@test/support/test-api';
import { fakeGramineDevice } from '../../../libs/attestation/test/fake-gramine-device';

/**
 * The built API as its own process, with a Gramine quote read that never returns (`quote` is a
 * FIFO nobody writes) still pending when SIGTERM comes. A read that held a libuv thread would
 * keep `process.exit` from ever returning: the process could only be killed.
 */
describe('SIGTERM while a Gramine quote read is pending (built process)', () => {
  // The folder must be named before the fixture starts the process with it.
  const dir = join(
    tmpdir(),
    `attestation-sigterm-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  beforeAll(async () => {
    await mkdir(dir);
    await fakeGramineDevice(dir, { mode: 'silent' });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const api = useApiProcess({
    env: {
      ATTESTATION_PROVIDER: 'gramine',
      ATTESTATION_DIR: dir,
      // Far longer than the test: the read is still pending at SIGTERM.
      ATTESTATION_TIMEOUT_MS: '120000',
      SHUTDOWN_TIMEOUT_MS: '1000',
    },
  });

  it('ends the process', async () => {
    const pending = api.anonymous
      .get(`/attestation?nonce=${randomBytes(16).toString('hex')}`, { timeoutMs: 20000 })
      .then(
        (res) => res.status,
        () => 'no answer',
      );
    // The request is in: the API answers nothing else about it until the quote comes.
    const raced = await Promise.race([
      pending,
      new Promise((done) => setTimeout(() => done('pending'), 1000)),
    ]);
    expect(raced).toBe('pending');

    api.process.signal('SIGTERM');
    // Drained at SHUTDOWN_TIMEOUT_MS, then exited; 15 s is far past that, and far short of never.
    const exit = await api.process.waitForExit(15000);
    expect({ exit, logs: exit === 0 ? '' : api.process.logs }).toEqual({ exit: 0, logs: '' });
    await pending;
  });
});
