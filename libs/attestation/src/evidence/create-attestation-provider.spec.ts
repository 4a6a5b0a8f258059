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
import { fakeGramineDevice } from '../../test/fake-gramine-device';
import { SCONE_REQUIRED_REFUSAL, SconeAttestationProvider } from './scone-attestation.provider';

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
      verified: [
        {
          field: 'apiCertificate',
          basis: expect.stringContaining('Computed by this process'),
          clientCheck: expect.stringContaining('your own TLS handshake'),
        },
      ],
      claims: [],
    });
  });

  it('scone names the policy, the CAS and the session as unverified claims, never a TEE', async () => {
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
      tee: false,
      scone: {
        configId: 'clinic/patient-api-7/api',
        session: 'clinic/patient-api-7',
        service: 'api',
        casAddress: 'cas.example.org',
        lasAddress: 'las',
      },
    });
    expect(evidence.statement).toMatch(/^Not attested by this process\. The configuration says/);
    expect(evidence.statement).toContain(
      '"clinic/patient-api-7/api" of the CAS at cas.example.org',
    );
    expect(evidence.statement).toContain('gives the program no quote or report');
    expect(evidence.statement).toContain('npm run cas:ca');
    expect(evidence.apiCertificate.issuerSha256).toBeDefined();
    expect(evidence.verified.map((item) => item.field)).toEqual(['apiCertificate']);
    expect(evidence.claims.map((item) => item.field)).toEqual([
      'scone.configId',
      'scone.casAddress',
      'scone.lasAddress',
      'apiCertificate.issuerSha256',
    ]);
    expect(evidence.claims[0].basis).toBe(
      'Configuration (SCONE_CONFIG_ID); the program cannot confirm that the runtime used it.',
    );
    expect(evidence.claims[3].clientCheck).toContain('scone cas attest');
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

    it('is never met by SCONE variables, and says why and what to use instead', async () => {
      for (const provider of ['scone', 'auto'] as const) {
        const attempt = createAttestationProvider(
          {
            provider,
            required: true,
            dir,
            scone: { configId: 'anything/api', casAddr: 'cas.example.org' },
          },
          secrets,
        );
        await expect(attempt).rejects.toThrow(new AttestationError(SCONE_REQUIRED_REFUSAL));
      }
      expect(SCONE_REQUIRED_REFUSAL).not.toContain('\n');
      expect(SCONE_REQUIRED_REFUSAL).toMatch(
        /^ATTESTATION_REQUIRED=true cannot be met with the scone provider: .*no quote or report to check.*unset ATTESTATION_REQUIRED, or run under Gramine/,
      );
    });

    it('is not met by an attestation_type file alone: Gramine must hand over a quote', async () => {
      await writeFile(join(dir, 'attestation_type'), 'dcap');
      await expect(
        createAttestationProvider({ provider: 'gramine', required: true, dir }, secrets),
      ).rejects.toThrow(
        'ATTESTATION_REQUIRED=true, but the gramine provider reports no TEE: Gramine gave no quote: cannot read quote: ENOENT.',
      );
    });

    it('starts when Gramine makes a quote over report data chosen at boot', async () => {
      const device = await fakeGramineDevice(dir);
      try {
        await expect(
          createAttestationProvider({ provider: 'gramine', required: true, dir }, secrets),
        ).resolves.toBeInstanceOf(GramineAttestationProvider);
        expect(device.served).toHaveLength(1);
      } finally {
        await device.close();
      }
    });

    it('stops boot when the boot quote does not come within ATTESTATION_TIMEOUT_MS', async () => {
      const device = await fakeGramineDevice(dir, { mode: 'silent' });
      await expect(
        createAttestationProvider(
          { provider: 'gramine', required: true, dir, timeoutMs: 200 },
          secrets,
        ),
      ).rejects.toThrow(
        'reports no TEE: Gramine gave no quote: Gramine did not answer within 200 ms (ATTESTATION_TIMEOUT_MS).',
      );
      await device.close();
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
