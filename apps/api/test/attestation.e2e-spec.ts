import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { SECRET_FILES } from '@app/secrets';
import { readSecret } from '@test/support/dev-secrets';
import { useTestApi } from '@test/support/test-api';
import { AttestationError, SCONE_REQUIRED_REFUSAL } from '@app/attestation';
import { fakeGramineDevice } from '../../../libs/attestation/test/fake-gramine-device';

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
  const bed = useTestApi({ start: false });

  describe('with ATTESTATION_PROVIDER=none (the default)', () => {
    const api = useTestApi();

    it('says nothing is attested and names the key of the TLS connection', async () => {
      const nonce = randomBytes(16).toString('hex');
      const res = await api.anonymous.get(`/attestation?nonce=${nonce}`);
      expect(res.status).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ provider: 'none', tee: false, nonce, claims: [] });
      expect(body.statement).toMatch(/^Nothing is attested/);
      expect(body.verified).toEqual([
        expect.objectContaining({ field: 'apiCertificate', basis: expect.any(String) }),
      ]);

      const seen = await handshakeCertificate(api.api.port, api.secrets.apiCa);
      expect(body.apiCertificate.spkiSha256).toBe(spkiSha256(seen));
      expect(body.apiCertificate.sha256).toBe(sha256(seen.raw).toString('hex'));
      expect(body.apiCertificate.issuerSha256).toBe(
        sha256(new X509Certificate(api.secrets.apiCa).raw).toString('hex'),
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
      const res = await api.anonymous.get(`/attestation?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().errors).toEqual([
        { field: 'nonce', message: expect.stringContaining(message) },
      ]);
    });

    it('accepts 64-byte nonces in either case', async () => {
      const nonce = randomBytes(64).toString('hex').toUpperCase();
      const res = await api.anonymous.get(`/attestation?nonce=${nonce}`);
      expect(res.status).toBe(200);
      expect(res.json().nonce).toBe(nonce.toLowerCase());
    });

    it('refuses unknown query parameters', async () => {
      const res = await api.anonymous.get(`/attestation?nonce=${'ab'.repeat(16)}&debug=1`);
      expect(res.status).toBe(400);
      expect(res.json().errors).toEqual([{ field: 'debug', message: 'is not a known field' }]);
    });

    it('is in the OpenAPI document, public', async () => {
      const doc = (await api.anonymous.get('/openapi.json')).json();
      const operation = doc.paths['/attestation'].get;
      expect(operation.operationId).toBe('getAttestationEvidence');
      expect(operation.tags).toEqual(['attestation']);
      expect(operation.parameters).toEqual([
        expect.objectContaining({ name: 'nonce', in: 'query', required: true }),
      ]);
    });
  });

  it('with gramine, returns the quote made over the TLS key and the nonce', async () => {
    // A fake /dev/attestation that, like Gramine's, makes each quote over the report data last
    // written: ATTESTATION_REQUIRED gets its boot quote, the request one over its nonce.
    const device = await fakeGramineDevice(await bed.tempDir('fake-attestation-'));
    bed.cleanup(() => device.close());
    const nonce = randomBytes(32);
    const leaf = new X509Certificate(await readSecret(bed.secrets, SECRET_FILES.apiCert));
    const reportData = Buffer.concat([
      sha256(leaf.publicKey.export({ type: 'spki', format: 'der' })),
      sha256(nonce),
    ]);

    const api = await bed.start({
      ATTESTATION_PROVIDER: 'auto',
      ATTESTATION_DIR: device.dir,
      ATTESTATION_REQUIRED: 'true',
    });
    expect(device.served).toHaveLength(1); // at boot
    const res = await api.anonymous.get(`/attestation?nonce=${nonce.toString('hex')}`);
    expect(res.status).toBe(200);
    const body = res.json();
    expect(device.served).toHaveLength(2);
    expect(body).toMatchObject({
      provider: 'gramine',
      tee: true,
      gramine: {
        attestationType: 'dcap',
        mrenclave: device.mrenclave.toString('hex'),
        debug: false,
        reportData: reportData.toString('hex'),
        quote: device.served[1].toString('base64'),
      },
    });
    expect(body.verified.map((item: { field: string }) => item.field)).toEqual([
      'apiCertificate',
      'gramine.reportData',
      'gramine.quote',
    ]);
    // What the API asked Gramine to put in the quote.
    expect(await readFile(join(device.dir, 'user_report_data'))).toEqual(reportData);
    // The key in the quote is the key of this very TLS connection.
    const seen = await handshakeCertificate(api.api.port, bed.secrets.apiCa);
    expect(body.apiCertificate.spkiSha256).toBe(spkiSha256(seen));
    expect(body.gramine.reportData.slice(0, 64)).toBe(spkiSha256(seen));
  });

  it('with ATTESTATION_REQUIRED, refuses to boot on a quote file left in place', async () => {
    const dir = await bed.tempDir('fake-attestation-');
    await writeFile(join(dir, 'attestation_type'), 'dcap\n');
    await writeFile(join(dir, 'quote'), Buffer.alloc(1024));
    await expect(
      bed.start({
        ATTESTATION_PROVIDER: 'gramine',
        ATTESTATION_DIR: dir,
        ATTESTATION_REQUIRED: 'true',
      }),
    ).rejects.toThrow(
      'ATTESTATION_REQUIRED=true, but the gramine provider reports no TEE: Gramine gave no quote: ' +
        'the quote does not carry the report data just written.',
    );
  });

  it('answers 503 problem+json within ATTESTATION_TIMEOUT_MS when a quote read hangs', async () => {
    // `quote` is a FIFO nobody writes: a read of it waits forever.
    const device = await fakeGramineDevice(await bed.tempDir('fake-attestation-'), {
      mode: 'silent',
    });
    const api = await bed.start({
      ATTESTATION_PROVIDER: 'gramine',
      ATTESTATION_DIR: device.dir,
      ATTESTATION_TIMEOUT_MS: '300',
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await api.anonymous.get(`/attestation?nonce=${'ab'.repeat(16)}`);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().detail).toBe('attestation evidence cannot be produced right now');
    }
    // The rest of the API is not held up.
    expect((await api.anonymous.get('/health/live')).status).toBe(200);
  });

  it('names ATTESTATION_TIMEOUT_MS when it is not a number of milliseconds', async () => {
    await expect(bed.start({ ATTESTATION_TIMEOUT_MS: 'soon' })).rejects.toThrow(
      /ATTESTATION_TIMEOUT_MS/,
    );
  });

  it('answers 503 problem+json when Gramine gives no quote', async () => {
    const dir = await bed.tempDir('fake-attestation-');
    await writeFile(join(dir, 'attestation_type'), 'dcap');
    const api = await bed.start({
      ATTESTATION_PROVIDER: 'gramine',
      ATTESTATION_DIR: dir,
    });
    const res = await api.anonymous.get(`/attestation?nonce=${'ab'.repeat(16)}`);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().detail).toBe('attestation evidence cannot be produced right now');
    expect(res.text).not.toContain(dir);
  });

  describe('with scone variables on a machine without SGX', () => {
    it('reports no TEE, and names the policy and CAS as unverified claims', async () => {
      const api = await bed.start({
        ATTESTATION_PROVIDER: 'scone',
        SCONE_CONFIG_ID: 'patient-api-42/api',
        SCONE_CAS_ADDR: 'cas.example.org',
        SCONE_LAS_ADDR: 'las',
      });
      const body = (await api.anonymous.get(`/attestation?nonce=${'ab'.repeat(16)}`)).json();
      expect(body).toMatchObject({
        provider: 'scone',
        tee: false,
        scone: {
          configId: 'patient-api-42/api',
          session: 'patient-api-42',
          service: 'api',
          casAddress: 'cas.example.org',
          lasAddress: 'las',
        },
      });
      expect(body.statement).toMatch(/^Not attested by this process\./);
      expect(body.verified.map((item: { field: string }) => item.field)).toEqual([
        'apiCertificate',
      ]);
      expect(body.claims).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            field: 'scone.configId',
            basis: expect.stringContaining('SCONE_CONFIG_ID'),
          }),
          expect.objectContaining({
            field: 'scone.casAddress',
            basis: expect.stringContaining('SCONE_CAS_ADDR'),
          }),
          expect.objectContaining({
            field: 'apiCertificate.issuerSha256',
            clientCheck: expect.stringContaining('npm run cas:ca'),
          }),
        ]),
      );
    });

    it('does not satisfy ATTESTATION_REQUIRED, and says why and what to use instead', async () => {
      await expect(
        bed.start({
          ATTESTATION_PROVIDER: 'scone',
          SCONE_CONFIG_ID: 'anything',
          ATTESTATION_REQUIRED: 'true',
        }),
      ).rejects.toThrow(new AttestationError(SCONE_REQUIRED_REFUSAL));
    });
  });

  it('refuses to boot with ATTESTATION_REQUIRED=true and no TEE', async () => {
    await expect(bed.start({ ATTESTATION_REQUIRED: 'true' })).rejects.toThrow(
      /^ATTESTATION_REQUIRED=true, but the none provider reports no TEE/,
    );
    await expect(
      bed.start({ ATTESTATION_PROVIDER: 'scone', ATTESTATION_REQUIRED: 'true' }),
    ).rejects.toThrow(SCONE_REQUIRED_REFUSAL);
  });

  it('names ATTESTATION_REQUIRED when it is not a boolean', async () => {
    await expect(bed.start({ ATTESTATION_REQUIRED: 'maybe' })).rejects.toThrow(
      'ATTESTATION_REQUIRED must be true or false',
    );
  });
});
