import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeGramineDevice, mkfifo } from '../../test/fake-gramine-device';
import { fakeSgxQuote } from '../../test/fake-quote';
import { AttestationError, CertificateFingerprints } from './attestation-provider';
import { AttestationFiles } from './device-files';
import {
  GramineAttestationProvider,
  gramineReportData,
  parseSgxQuote,
} from './gramine-attestation.provider';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

const fingerprints: CertificateFingerprints = {
  sha256: sha256(Buffer.from('certificate')).toString('hex'),
  spkiSha256: sha256(Buffer.from('spki')).toString('hex'),
};

describe('parseSgxQuote', () => {
  it('reads MRENCLAVE at 112, MRSIGNER at 176 and REPORTDATA at 368..431', () => {
    const mrenclave = randomBytes(32);
    const mrsigner = randomBytes(32);
    const reportData = randomBytes(64);
    const quote = fakeSgxQuote({ mrenclave, mrsigner, reportData });
    expect(quote.subarray(112, 144)).toEqual(mrenclave);
    expect(quote.subarray(368, 432)).toEqual(reportData);
    expect(parseSgxQuote(quote)).toEqual({ mrenclave, mrsigner, reportData, debug: false });
  });

  it('reads the DEBUG bit of ATTRIBUTES.FLAGS at 96', () => {
    const quote = fakeSgxQuote({ reportData: randomBytes(64), debug: true });
    expect(quote[96] & 0x02).toBe(0x02);
    expect(parseSgxQuote(quote).debug).toBe(true);
  });

  it('refuses a quote too short to hold a report', () => {
    expect(() => parseSgxQuote(Buffer.alloc(431))).toThrow(
      new AttestationError(
        "the quote is 431 bytes, shorter than an SGX quote's header and report (432)",
      ),
    );
  });
});

describe('GramineAttestationProvider', () => {
  let dir: string;
  const nonce = randomBytes(32);
  const expected = Buffer.concat([Buffer.from(fingerprints.spkiSha256, 'hex'), sha256(nonce)]);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-attestation-'));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('binds the TLS key and the nonce into the report data', () => {
    expect(gramineReportData(fingerprints.spkiSha256, nonce)).toEqual(expected);
    expect(expected).toHaveLength(64);
  });

  it('writes the report data, reads the quote and returns its fields', async () => {
    const mrenclave = randomBytes(32);
    const mrsigner = randomBytes(32);
    const quote = fakeSgxQuote({ mrenclave, mrsigner, reportData: expected });
    await writeFile(join(dir, 'attestation_type'), 'dcap\n');
    await writeFile(join(dir, 'quote'), quote);

    const provider = new GramineAttestationProvider(fingerprints, dir);
    const evidence = await provider.evidence(nonce);

    expect(await readFile(join(dir, 'user_report_data'))).toEqual(expected);
    expect(evidence).toMatchObject({
      provider: 'gramine',
      tee: true,
      nonce: nonce.toString('hex'),
      apiCertificate: fingerprints,
      gramine: {
        attestationType: 'dcap',
        mrenclave: mrenclave.toString('hex'),
        mrsigner: mrsigner.toString('hex'),
        debug: false,
        reportData: expected.toString('hex'),
        quote: quote.toString('base64'),
      },
    });
    expect(evidence.statement).toMatch(/report data is sha256 of this service's TLS public key/);
    expect(evidence.statement).toContain('cannot verify the quote itself');
  });

  it('says what it verified or produced itself, and what a client must still check', async () => {
    await writeFile(join(dir, 'attestation_type'), 'dcap');
    await writeFile(join(dir, 'quote'), fakeSgxQuote({ reportData: expected }));
    const evidence = await new GramineAttestationProvider(fingerprints, dir).evidence(nonce);
    expect(evidence.verified.map((item) => item.field)).toEqual([
      'apiCertificate',
      'gramine.reportData',
      'gramine.quote',
    ]);
    const quoteItem = evidence.verified[2];
    expect(quoteItem.basis).toContain('does not verify its signature');
    expect(quoteItem.clientCheck).toMatch(/SGX quote verifier.*DEBUG.*MRENCLAVE/);
    // Read from a folder that is not Gramine's own: said so, as a claim of the configuration.
    expect(evidence.claims).toEqual([
      expect.objectContaining({
        field: 'gramine',
        basis: expect.stringContaining(`read from ${dir} (ATTESTATION_DIR)`),
      }),
    ]);
  });

  it('reports no TEE for a debug enclave, and still returns its quote', async () => {
    await writeFile(join(dir, 'attestation_type'), 'dcap');
    await writeFile(join(dir, 'quote'), fakeSgxQuote({ reportData: expected, debug: true }));
    const provider = new GramineAttestationProvider(fingerprints, dir);
    const evidence = await provider.evidence(nonce);
    expect(evidence).toMatchObject({ tee: false, gramine: { debug: true } });
    expect(evidence.statement).toContain('DEBUG enclave');
    expect(evidence.gramine?.quote).not.toBeNull();
  });

  it('refuses a quote over other report data', async () => {
    await writeFile(join(dir, 'attestation_type'), 'dcap');
    await writeFile(join(dir, 'quote'), fakeSgxQuote({ reportData: randomBytes(64) }));
    await expect(new GramineAttestationProvider(fingerprints, dir).evidence(nonce)).rejects.toThrow(
      new AttestationError('the quote does not carry the report data just written'),
    );
  });

  it('says when the quote cannot be read', async () => {
    await writeFile(join(dir, 'attestation_type'), 'epid');
    await expect(new GramineAttestationProvider(fingerprints, dir).evidence(nonce)).rejects.toThrow(
      new AttestationError('cannot read quote: ENOENT'),
    );
  });

  it('reports no TEE, and asks for no quote, when Gramine runs without SGX', async () => {
    await writeFile(join(dir, 'attestation_type'), 'none');
    const provider = new GramineAttestationProvider(fingerprints, dir);
    const evidence = await provider.evidence(nonce);
    expect(evidence).toMatchObject({
      tee: false,
      gramine: { attestationType: 'none', quote: null, reportData: null, debug: null },
      verified: [expect.objectContaining({ field: 'apiCertificate' })],
      claims: [expect.objectContaining({ field: 'gramine.attestationType' })],
    });
    await expect(provider.status()).resolves.toMatchObject({ tee: false });
    await expect(readFile(join(dir, 'user_report_data'))).rejects.toThrow(/ENOENT/);
  });

  it('reports no TEE outside Gramine', async () => {
    const provider = new GramineAttestationProvider(fingerprints, join(dir, 'missing'));
    await expect(provider.status()).resolves.toEqual({
      tee: false,
      statement: expect.stringContaining('does not run under Gramine'),
    });
  });

  it('refuses nonces outside 16..64 bytes', async () => {
    const provider = new GramineAttestationProvider(fingerprints, dir);
    await expect(provider.evidence(randomBytes(15))).rejects.toThrow(
      'a nonce must be 16 to 64 bytes, not 15',
    );
    await expect(provider.evidence(randomBytes(65))).rejects.toThrow('not 65');
  });

  it('serves concurrent requests in turn, each with a quote over its own nonce', async () => {
    // Emulates the pseudo-files of one process: a quote is made over whatever report data was
    // last written, and every file operation lets other work run in between.
    let written = Buffer.alloc(64);
    const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));
    const device: AttestationFiles = {
      async writeFile(path, data) {
        await yieldTurn();
        if (path.endsWith('user_report_data')) written = Buffer.from(data);
      },
      async readFile(path) {
        await yieldTurn();
        if (path.endsWith('attestation_type')) return Buffer.from('dcap');
        if (path.endsWith('quote')) return fakeSgxQuote({ reportData: written });
        throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      },
    };
    const provider = new GramineAttestationProvider(fingerprints, '/dev/attestation', {
      files: device,
    });
    const nonces = Array.from({ length: 8 }, () => randomBytes(24));

    const answers = await Promise.all(nonces.map((n) => provider.evidence(n)));

    answers.forEach((answer, i) => {
      const reportData = Buffer.from(answer.gramine?.reportData ?? '', 'hex');
      expect(reportData.subarray(32)).toEqual(sha256(nonces[i]));
      expect(parseSgxQuote(Buffer.from(answer.gramine?.quote ?? '', 'base64')).reportData).toEqual(
        reportData,
      );
    });
  });

  it('keeps serving after a failed request', async () => {
    let fail = true;
    const device: AttestationFiles = {
      writeFile: () => (fail ? Promise.reject(new Error('EIO')) : Promise.resolve()),
      readFile: (path) =>
        Promise.resolve(
          path.endsWith('attestation_type')
            ? Buffer.from('dcap')
            : fakeSgxQuote({ reportData: expected }),
        ),
    };
    const provider = new GramineAttestationProvider(fingerprints, '/dev/attestation', {
      files: device,
    });
    await expect(provider.evidence(nonce)).rejects.toThrow('cannot write user_report_data: EIO');
    fail = false;
    await expect(provider.evidence(nonce)).resolves.toMatchObject({ tee: true });
  });

  describe('at boot (ATTESTATION_REQUIRED)', () => {
    it('establishes a TEE only by obtaining a quote over report data it chose just now', async () => {
      const device = await fakeGramineDevice(dir);
      try {
        const provider = new GramineAttestationProvider(fingerprints, dir);
        await expect(provider.status()).resolves.toEqual({
          tee: true,
          statement: expect.stringContaining('made a quote over report data this process chose'),
        });
        expect(device.served).toHaveLength(1);
        const written = await readFile(join(dir, 'user_report_data'));
        expect(written.subarray(0, 32)).toEqual(Buffer.from(fingerprints.spkiSha256, 'hex'));
        expect(parseSgxQuote(device.served[0]).reportData).toEqual(written);
      } finally {
        await device.close();
      }
    });

    it('reports no TEE when attestation_type says dcap but no quote comes', async () => {
      await writeFile(join(dir, 'attestation_type'), 'dcap');
      const provider = new GramineAttestationProvider(fingerprints, dir);
      await expect(provider.status()).resolves.toEqual({
        tee: false,
        statement: 'Gramine gave no quote: cannot read quote: ENOENT.',
      });
    });

    it('reports no TEE for a quote that is not over its report data (a file left in place)', async () => {
      await writeFile(join(dir, 'attestation_type'), 'dcap');
      await writeFile(join(dir, 'quote'), fakeSgxQuote({ reportData: expected }));
      await expect(new GramineAttestationProvider(fingerprints, dir).status()).resolves.toEqual({
        tee: false,
        statement: 'Gramine gave no quote: the quote does not carry the report data just written.',
      });
    });

    it('reports no TEE for a debug enclave', async () => {
      const device = await fakeGramineDevice(dir, { debug: true });
      try {
        await expect(new GramineAttestationProvider(fingerprints, dir).status()).resolves.toEqual({
          tee: false,
          statement: expect.stringContaining('DEBUG enclave'),
        });
      } finally {
        await device.close();
      }
    });
  });

  describe('against a device that behaves like Gramine (FIFO)', () => {
    it('gets a fresh quote over each request’s nonce', async () => {
      const device = await fakeGramineDevice(dir);
      try {
        const provider = new GramineAttestationProvider(fingerprints, dir);
        const nonces = [randomBytes(16), randomBytes(16), randomBytes(16)];
        const answers = await Promise.all(nonces.map((n) => provider.evidence(n)));
        answers.forEach((answer, i) => {
          expect(answer.tee).toBe(true);
          expect(answer.gramine?.mrenclave).toBe(device.mrenclave.toString('hex'));
          expect(answer.gramine?.reportData).toBe(
            gramineReportData(fingerprints.spkiSha256, nonces[i]).toString('hex'),
          );
        });
        expect(device.served).toHaveLength(3);
      } finally {
        await device.close();
      }
    });
  });

  describe('ATTESTATION_TIMEOUT_MS', () => {
    it('gives up on a quote that never comes (a FIFO nobody writes), and asks again next time', async () => {
      const device = await fakeGramineDevice(dir, { mode: 'silent' });
      const provider = new GramineAttestationProvider(fingerprints, dir, { timeoutMs: 300 });
      const timedOut = new AttestationError(
        'Gramine did not answer within 300 ms (ATTESTATION_TIMEOUT_MS)',
      );
      await expect(provider.evidence(nonce)).rejects.toThrow(timedOut);
      // The read was aborted, not left behind: the next request is asked again, and times out.
      await expect(provider.evidence(nonce)).rejects.toThrow(timedOut);
      await expect(provider.status()).resolves.toEqual({
        tee: false,
        statement: `Gramine gave no quote: ${timedOut.message}.`,
      });
      await device.close();
    });

    it('counts the wait for an earlier request in the timeout', async () => {
      await mkfifo(join(dir, 'quote'));
      await writeFile(join(dir, 'attestation_type'), 'epid');
      const provider = new GramineAttestationProvider(fingerprints, dir, { timeoutMs: 1000 });
      const started = Date.now();
      const results = await Promise.allSettled([
        provider.evidence(nonce),
        provider.evidence(nonce),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      // Both within one timeout, not one after the other.
      expect(Date.now() - started).toBeLessThan(2 * 1000);
    });

    it('asks nothing more of a device whose call cannot be aborted until that call returns', async () => {
      let release: (() => void) | undefined;
      const device: AttestationFiles = {
        writeFile: () => Promise.resolve(),
        readFile: (path) => {
          if (path.endsWith('attestation_type')) return Promise.resolve(Buffer.from('dcap'));
          // A system call stuck in the kernel: the abort signal cannot end it.
          return new Promise((resolve) => {
            release = () => resolve(fakeSgxQuote({ reportData: expected }));
          });
        },
      };
      const provider = new GramineAttestationProvider(fingerprints, '/dev/attestation', {
        files: device,
        timeoutMs: 500,
      });
      await expect(provider.evidence(nonce)).rejects.toThrow(
        'Gramine did not answer within 500 ms (ATTESTATION_TIMEOUT_MS)',
      );
      // At most one call is ever left waiting on the device: the next is refused, not queued.
      const again = Date.now();
      await expect(provider.evidence(nonce)).rejects.toThrow(
        'an earlier quote request has not returned from Gramine; not asking again until it does',
      );
      expect(Date.now() - again).toBeLessThan(500);
      // Once the stuck call returns, the device is asked again.
      release?.();
      await new Promise((resolve) => setImmediate(resolve));
      device.readFile = (path) =>
        Promise.resolve(
          path.endsWith('attestation_type')
            ? Buffer.from('dcap')
            : fakeSgxQuote({ reportData: expected }),
        );
      await expect(provider.evidence(nonce)).resolves.toMatchObject({ tee: true });
    });
  });
});
