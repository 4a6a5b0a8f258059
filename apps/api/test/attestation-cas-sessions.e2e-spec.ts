import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { SECRET_FILES, splitCertificates } from '@app/secrets';
import { readSecret } from '@test/support/dev-secrets';
import { useTestApi } from '@test/support/test-api';
import {
  instantiateSessions,
  placeholders,
  SESSION_VARIABLES,
} from '../../../libs/attestation/test/cas-sessions';

const sha256Hex = (der: Buffer) => createHash('sha256').update(der).digest('hex');

/**
 * The API under its instantiated CAS policy, with what the SCONE runtime would do emulated: the
 * injection files written (placeholders replaced by a PKI made here), the policy's environment
 * given to the process. Only the network addresses are changed, to the test's loopback ones.
 */
describe('the API under its CAS session policy (runtime emulated)', () => {
  const bed = useTestApi({ redis: true, start: false });

  /** What CAS would substitute for each placeholder of the API session. */
  async function casValues(): Promise<Record<string, string>> {
    const read = (name: string) => readSecret(bed.secrets, name);
    const [apiLeaf, apiCa] = splitCertificates(await read(SECRET_FILES.apiCert));
    return {
      '$$SCONE::api_cert:crt$$': apiLeaf,
      '$$SCONE::api_cert:chain$$': apiCa,
      '$$SCONE::api_key$$': await read(SECRET_FILES.apiKey),
      '$$SCONE::api_ca_cert:crt$$': await read(SECRET_FILES.apiCa),
      '$$SCONE::redis_ca_cert:crt$$': await read(SECRET_FILES.redisCa),
      '$$SCONE::redis_client_cert:crt$$': await read(SECRET_FILES.redisCert),
      '$$SCONE::redis_client_key$$': await read(SECRET_FILES.redisKey),
      '$$SCONE::record_key:base64$$': randomBytes(32).toString('base64'),
      '$$SCONE::audit_key:base64$$': randomBytes(32).toString('base64'),
    };
  }

  it('boots with the injected files and reports what the policy says, as claims', async () => {
    const policy = (await instantiateSessions(join(bed.dir, 'sessions'))).api.session;
    const [service] = policy.services;
    const environment = { ...(service.environment ?? {}) };
    const injectedDir = join(bed.dir, 'enclave-fs');
    await mkdir(injectedDir);
    const values = await casValues();
    for (const file of policy.images?.[0].injection_files ?? []) {
      let content = file.content;
      for (const { raw } of placeholders(content)) {
        expect({ raw, known: raw in values }).toEqual({ raw, known: true });
        content = content.split(raw).join(values[raw]);
      }
      expect(posix.dirname(file.path)).toBe(environment.SECRETS_DIR);
      await writeFile(join(injectedDir, posix.basename(file.path)), content, { mode: 0o600 });
    }

    // The test's Redis over the policy's addresses.
    const api = await bed.start((redis) => ({
      ...environment,
      SECRETS_DIR: injectedDir,
      ...redis,
    }));
    expect(api.config).toMatchObject({
      nodeEnv: 'production',
      secrets: { source: 'files', dir: injectedDir },
      storage: { driver: 'redis', tlsServername: 'redis' },
      attestation: { provider: 'scone', required: false },
    });
    const res = await api.anonymous.get(`/attestation?nonce=${randomBytes(16).toString('hex')}`);
    expect(res.status).toBe(200);
    const body = res.json();
    // Nothing the process sees under SCONE is evidence it can check: no TEE, only claims.
    expect(body).toMatchObject({
      provider: 'scone',
      tee: false,
      scone: {
        configId: `${SESSION_VARIABLES.API_SESSION}/api`,
        session: SESSION_VARIABLES.API_SESSION,
        casAddress: SESSION_VARIABLES.SCONE_CAS_ADDR,
      },
    });
    // The CA clients fetch with `npm run cas:ca` is the one that issued the served certificate.
    const ca = new X509Certificate(values['$$SCONE::api_ca_cert:crt$$']);
    expect(body.apiCertificate.issuerSha256).toBe(sha256Hex(ca.raw));
    expect(body.claims.map((claim: { field: string }) => claim.field)).toEqual([
      'scone.configId',
      'scone.casAddress',
      'apiCertificate.issuerSha256',
    ]);
  });
});
