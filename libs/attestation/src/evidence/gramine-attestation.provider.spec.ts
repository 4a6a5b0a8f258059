import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeSgxQuote } from '../../test/fake-quote';
import { AttestationError, CertificateFingerprints } from './attestation-provider';
import {
  AttestationFiles,
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
    expect(parseSgxQuote(quote)).toEqual({ mrenclave, mrsigner, reportData });
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
    await expect(provider.status()).resolves.toMatchObject({ tee: true });
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
        reportData: expected.toString('hex'),
        quote: quote.toString('base64'),
      },
    });
    expect(evidence.statement).toMatch(/report data is sha256 of this service's TLS public key/);
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
    const evidence = await new GramineAttestationProvider(fingerprints, dir).evidence(nonce);
    expect(evidence).toMatchObject({
      tee: false,
      gramine: { attestationType: 'none', quote: null, reportData: null },
    });
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
    const provider = new GramineAttestationProvider(fingerprints, '/dev/attestation', device);
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
    const provider = new GramineAttestationProvider(fingerprints, '/dev/attestation', device);
    await expect(provider.evidence(nonce)).rejects.toThrow('cannot write user_report_data: EIO');
    fail = false;
    await expect(provider.evidence(nonce)).resolves.toMatchObject({ tee: true });
  });
});
