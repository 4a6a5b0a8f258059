import { Test } from '@nestjs/testing';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevPki, EnvSecretSource, SecretsModule, type DevPki } from '@app/secrets';
import { AttestationError, AttestationProvider } from './attestation-provider';
import { AttestationModule } from './attestation.module';
import { createAttestationProvider, resolveProvider } from './create-attestation-provider';
import { certificateFingerprints } from './fingerprints';
import { GramineAttestationProvider } from './gramine-attestation.provider';
import { NoneAttestationProvider } from './none-attestation.provider';
import { SconeAttestationProvider } from './scone-attestation.provider';

const sha256Hex = (der: Buffer) => createHash('sha256').update(der).digest('hex');

describe('attestation providers', () => {
  let pki: DevPki;
  let secrets: EnvSecretSource;
  let dir: string;
  const nonce = randomBytes(16);

  beforeAll(async () => {
    pki = await createDevPki();
    secrets = new EnvSecretSource({
      API_TLS_CERT: pki.api.cert + pki.apiCa.cert,
      API_TLS_KEY: pki.api.key,
    });
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-attestation-'));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  describe('certificateFingerprints', () => {
    it('fingerprints the certificate, its public key and the CA that issued it', () => {
      const leaf = new X509Certificate(pki.api.cert);
      const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
      expect(certificateFingerprints({ cert: pki.api.cert + pki.apiCa.cert, key: '' })).toEqual({
        sha256: sha256Hex(leaf.raw),
        spkiSha256: sha256Hex(spki),
        issuerSha256: sha256Hex(new X509Certificate(pki.apiCa.cert).raw),
      });
    });

    it('takes the issuer from the CA the source names', () => {
      const fingerprints = certificateFingerprints({
        cert: pki.api.cert,
        key: '',
        ca: pki.apiCa.cert,
      });
      expect(fingerprints.issuerSha256).toBe(sha256Hex(new X509Certificate(pki.apiCa.cert).raw));
    });

    it('names no issuer that did not issue the certificate', () => {
      const fingerprints = certificateFingerprints({
        cert: pki.api.cert + pki.redisCa.cert,
        key: '',
        ca: pki.redisCa.cert,
      });
      expect(fingerprints.issuerSha256).toBeUndefined();
    });
  });

  it('none says plainly that nothing is attested', async () => {
    const provider = await createAttestationProvider({ provider: 'none' }, secrets);
    expect(provider).toBeInstanceOf(NoneAttestationProvider);
    const evidence = await provider.evidence(nonce);
    expect(evidence).toEqual({
      provider: 'none',
      tee: false,
      statement: expect.stringMatching(/^Nothing is attested/),
      nonce: nonce.toString('hex'),
      apiCertificate: certificateFingerprints(await secrets.apiTls()),
    });
  });

  it('scone reports the policy, the CAS and the session', async () => {
    const provider = await createAttestationProvider(
      {
        provider: 'scone',
        scone: { configId: 'clinic/patient-api-7/api', casAddr: 'cas.example.org', lasAddr: 'las' },
      },
      secrets,
    );
    expect(provider).toBeInstanceOf(SconeAttestationProvider);
    const evidence = await provider.evidence(nonce);
    expect(evidence).toMatchObject({
      provider: 'scone',
      tee: true,
      scone: {
        configId: 'clinic/patient-api-7/api',
        session: 'clinic/patient-api-7',
        service: 'api',
        casAddress: 'cas.example.org',
        lasAddress: 'las',
      },
    });
    expect(evidence.statement).toContain('attested this enclave to CAS at cas.example.org');
    expect(evidence.apiCertificate.issuerSha256).toBeDefined();
  });

  it('scone without SCONE_CONFIG_ID reports no TEE', async () => {
    const provider = new SconeAttestationProvider(
      certificateFingerprints(await secrets.apiTls()),
      {},
    );
    await expect(provider.evidence(nonce)).resolves.toMatchObject({
      tee: false,
      scone: { configId: null, session: null, service: null },
    });
  });

  describe('auto', () => {
    it('picks gramine when its attestation files exist', async () => {
      await writeFile(join(dir, 'attestation_type'), 'dcap');
      await expect(
        resolveProvider({ provider: 'auto', dir, scone: { configId: 's/api' } }),
      ).resolves.toBe('gramine');
      await expect(
        createAttestationProvider({ provider: 'auto', dir }, secrets),
      ).resolves.toBeInstanceOf(GramineAttestationProvider);
    });

    it('picks scone when the runtime was given a CAS policy', async () => {
      await expect(
        resolveProvider({ provider: 'auto', dir, scone: { configId: 's/api' } }),
      ).resolves.toBe('scone');
    });

    it('falls back to none', async () => {
      await expect(resolveProvider({ provider: 'auto', dir })).resolves.toBe('none');
    });
  });

  describe('ATTESTATION_REQUIRED', () => {
    it('refuses to start without a TEE', async () => {
      const attempt = createAttestationProvider({ provider: 'none', required: true }, secrets);
      await expect(attempt).rejects.toThrow(AttestationError);
      await expect(attempt).rejects.toThrow(
        /^ATTESTATION_REQUIRED=true, but the none provider reports no TEE: Nothing is attested/,
      );
      await expect(
        createAttestationProvider({ provider: 'gramine', required: true, dir }, secrets),
      ).rejects.toThrow('but the gramine provider reports no TEE');
    });

    it('starts when the provider reports a TEE', async () => {
      await writeFile(join(dir, 'attestation_type'), 'dcap');
      await expect(
        createAttestationProvider({ provider: 'gramine', required: true, dir }, secrets),
      ).resolves.toBeInstanceOf(GramineAttestationProvider);
      await expect(
        createAttestationProvider(
          { provider: 'scone', required: true, scone: { configId: 's/api' } },
          secrets,
        ),
      ).resolves.toBeInstanceOf(SconeAttestationProvider);
    });
  });

  it('AttestationModule provides the port, fingerprinting the secret source’s certificate', async () => {
    const env = { API_TLS_CERT: pki.api.cert, API_TLS_KEY: pki.api.key };
    const moduleRef = await Test.createTestingModule({
      imports: [
        SecretsModule.forRoot({ isGlobal: true, source: 'env', env }),
        AttestationModule.forRoot({ provider: 'none' }),
      ],
    }).compile();
    const provider = moduleRef.get(AttestationProvider);
    const evidence = await provider.evidence(nonce);
    expect(evidence.apiCertificate.spkiSha256).toBe(
      sha256Hex(
        new X509Certificate(pki.api.cert).publicKey.export({ type: 'spki', format: 'der' }),
      ),
    );
    await moduleRef.close();
  });
});
