import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { startTestApi, type TestApi } from '@test/support/api';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import { HttpsClient } from '@test/support/https-client';
import { fakeSgxQuote } from '../../../libs/attestation/test/fake-quote';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

/** The certificate the server presents in a real TLS handshake, trusting only the dev API CA. */
function handshakeCertificate(port: number, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (cert) resolve(cert);
      else reject(new Error('no peer certificate'));
    });
    socket.on('error', reject);
  });
}

const spkiSha256 = (cert: X509Certificate) =>
  sha256(cert.publicKey.export({ type: 'spki', format: 'der' })).toString('hex');

/** GET /attestation over real HTTPS: evidence bound to the TLS key the client talks to. */
describe('GET /attestation', () => {
  let secrets: DevSecrets;
  let dir: string;

  beforeAll(async () => {
    secrets = await makeDevSecrets();
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-attestation-'));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  afterAll(() => rm(secrets.stateDir, { recursive: true, force: true }));

  /** A client without any token: the evidence is public. */
  const anonymous = (api: TestApi) => new HttpsClient(api.url, secrets.apiCa);

  describe('with ATTESTATION_PROVIDER=none (the default)', () => {
    let api: TestApi;
    let client: HttpsClient;

    beforeAll(async () => {
      api = await startTestApi(secrets);
      client = anonymous(api);
    });

    afterAll(async () => {
      client?.close();
      await api?.stop();
    });

    it('says nothing is attested and names the key of the TLS connection', async () => {
      const nonce = randomBytes(16).toString('hex');
      const res = await client.get(`/attestation?nonce=${nonce}`);
      expect(res.status).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ provider: 'none', tee: false, nonce });
      expect(body.statement).toMatch(/^Nothing is attested/);

      const seen = await handshakeCertificate(api.api.port, secrets.apiCa);
      expect(body.apiCertificate.spkiSha256).toBe(spkiSha256(seen));
      expect(body.apiCertificate.sha256).toBe(sha256(seen.raw).toString('hex'));
      expect(body.apiCertificate.issuerSha256).toBe(
        sha256(new X509Certificate(secrets.apiCa).raw).toString('hex'),
      );
    });

    it.each([
      ['missing', '', 'is required'],
      ['not hex', 'nonce=zz112233445566778899aabbccddeeff', 'must be 16 to 64 bytes'],
      ['15 bytes', `nonce=${'ab'.repeat(15)}`, 'must be 16 to 64 bytes'],
      ['65 bytes', `nonce=${'ab'.repeat(65)}`, 'must be 16 to 64 bytes'],
      ['an odd number of digits', `nonce=${'a'.repeat(33)}`, 'must be 16 to 64 bytes'],
      ['given twice', `nonce=${'ab'.repeat(16)}&nonce=${'cd'.repeat(16)}`, 'must be a string'],
    ])('answers 400 naming the nonce when it is %s', async (_case, query, message) => {
      const res = await client.get(`/attestation?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().errors).toEqual([
        { field: 'nonce', message: expect.stringContaining(message) },
      ]);
    });

    it('accepts 64-byte nonces in either case', async () => {
      const nonce = randomBytes(64).toString('hex').toUpperCase();
      const res = await client.get(`/attestation?nonce=${nonce}`);
      expect(res.status).toBe(200);
      expect(res.json().nonce).toBe(nonce.toLowerCase());
    });

    it('refuses unknown query parameters', async () => {
      const res = await client.get(`/attestation?nonce=${'ab'.repeat(16)}&debug=1`);
      expect(res.status).toBe(400);
      expect(res.json().errors).toEqual([{ field: 'debug', message: 'is not a known field' }]);
    });

    it('is in the OpenAPI document, public', async () => {
      const doc = (await client.get('/openapi.json')).json();
      const operation = doc.paths['/attestation'].get;
      expect(operation.operationId).toBe('getAttestationEvidence');
      expect(operation.tags).toEqual(['attestation']);
      expect(operation.parameters).toEqual([
        expect.objectContaining({ name: 'nonce', in: 'query', required: true }),
      ]);
    });
  });

  it('with gramine, returns the quote made over the TLS key and the nonce', async () => {
    const nonce = randomBytes(32);
    const leaf = new X509Certificate(await readFile(join(secrets.secretsDir, 'api.crt'), 'utf8'));
    const reportData = Buffer.concat([
      sha256(leaf.publicKey.export({ type: 'spki', format: 'der' })),
      sha256(nonce),
    ]);
    // A fake /dev/attestation: the quote Gramine would produce for that report data.
    const mrenclave = randomBytes(32);
    const quote = fakeSgxQuote({ mrenclave, reportData });
    await writeFile(join(dir, 'attestation_type'), 'dcap\n');
    await writeFile(join(dir, 'quote'), quote);

    const api = await startTestApi(secrets, {
      ATTESTATION_PROVIDER: 'auto',
      ATTESTATION_DIR: dir,
      ATTESTATION_REQUIRED: 'true',
    });
    const client = anonymous(api);
    try {
      const res = await client.get(`/attestation?nonce=${nonce.toString('hex')}`);
      expect(res.status).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        provider: 'gramine',
        tee: true,
        gramine: {
          attestationType: 'dcap',
          mrenclave: mrenclave.toString('hex'),
          reportData: reportData.toString('hex'),
          quote: quote.toString('base64'),
        },
      });
      // What the API asked Gramine to put in the quote.
      expect(await readFile(join(dir, 'user_report_data'))).toEqual(reportData);
      // The key in the quote is the key of this very TLS connection.
      const seen = await handshakeCertificate(api.api.port, secrets.apiCa);
      expect(body.apiCertificate.spkiSha256).toBe(spkiSha256(seen));
      expect(body.gramine.reportData.slice(0, 64)).toBe(spkiSha256(seen));
    } finally {
      client.close();
      await api.stop();
    }
  });

  it('answers 503 problem+json when Gramine gives no quote', async () => {
    await writeFile(join(dir, 'attestation_type'), 'dcap');
    const api = await startTestApi(secrets, {
      ATTESTATION_PROVIDER: 'gramine',
      ATTESTATION_DIR: dir,
    });
    const client = anonymous(api);
    try {
      const res = await client.get(`/attestation?nonce=${'ab'.repeat(16)}`);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().detail).toBe('attestation evidence cannot be produced right now');
      expect(res.text).not.toContain(dir);
    } finally {
      client.close();
      await api.stop();
    }
  });

  it('with scone, reports the CAS policy the runtime was started with', async () => {
    const api = await startTestApi(secrets, {
      ATTESTATION_PROVIDER: 'scone',
      SCONE_CONFIG_ID: 'patient-api-42/api',
      SCONE_CAS_ADDR: 'cas.example.org',
      SCONE_LAS_ADDR: 'las',
    });
    const client = anonymous(api);
    try {
      const body = (await client.get(`/attestation?nonce=${'ab'.repeat(16)}`)).json();
      expect(body).toMatchObject({
        provider: 'scone',
        tee: true,
        scone: {
          configId: 'patient-api-42/api',
          session: 'patient-api-42',
          service: 'api',
          casAddress: 'cas.example.org',
          lasAddress: 'las',
        },
      });
    } finally {
      client.close();
      await api.stop();
    }
  });

  it('refuses to boot with ATTESTATION_REQUIRED=true and no TEE', async () => {
    await expect(startTestApi(secrets, { ATTESTATION_REQUIRED: 'true' })).rejects.toThrow(
      /^ATTESTATION_REQUIRED=true, but the none provider reports no TEE/,
    );
    await expect(
      startTestApi(secrets, { ATTESTATION_PROVIDER: 'scone', ATTESTATION_REQUIRED: 'true' }),
    ).rejects.toThrow('but the scone provider reports no TEE');
  });

  it('names ATTESTATION_REQUIRED when it is not a boolean', async () => {
    await expect(startTestApi(secrets, { ATTESTATION_REQUIRED: 'maybe' })).rejects.toThrow(
      'ATTESTATION_REQUIRED must be true or false',
    );
  });
});
