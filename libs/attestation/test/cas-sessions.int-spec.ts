import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { SECRET_FILES } from '@app/secrets';
import {
  CasSecret,
  CasSession,
  commandWords,
  exportTargets,
  instantiateSessions,
  InstantiatedSession,
  placeholders,
  SCONE_DIR,
  SESSION_VARIABLES,
  stringsOf,
  VALID_SUFFIXES,
} from './cas-sessions';

/** Files the `files` source cannot start without (the rest are optional). */
const REQUIRED_FILES = [
  SECRET_FILES.apiCert,
  SECRET_FILES.apiKey,
  SECRET_FILES.redisCa,
  SECRET_FILES.redisCert,
  SECRET_FILES.redisKey,
  SECRET_FILES.recordKey,
  SECRET_FILES.auditKey,
];
/** Every name the `files` source reads (older record keys: `record-key.<anything>`). */
const readByFilesSource = (name: string) =>
  Object.values(SECRET_FILES).includes(name as never) ||
  (name.startsWith(SECRET_FILES.previousRecordKeyPrefix) &&
    name.length > SECRET_FILES.previousRecordKeyPrefix.length);

/**
 * The CAS session templates of docker/scone, instantiated by their own script: every placeholder
 * names a secret the session has, every file the app reads is injected where it reads it, and
 * what one session exports the other imports.
 */
describe('CAS session templates (docker/scone)', () => {
  let dir: string;
  let api: InstantiatedSession;
  let redis: InstantiatedSession;
  let myenv: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cas-sessions-'));
    ({ api, redis, myenv } = await instantiateSessions(dir));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  const sessions = () => ({ api: api.session, redis: redis.session });
  const byName = (session: CasSession) => new Map(session.secrets.map((s) => [s.name, s]));
  const other = (session: CasSession) => (session === api.session ? redis.session : api.session);

  /** A secret's kind; an imported one has the kind of the secret it imports. */
  function kindOf(session: CasSession, secret: CasSecret): string | undefined {
    if (secret.kind) return secret.kind;
    if (!secret.import) return undefined;
    const source = [api.session, redis.session].find((s) => s.name === secret.import?.session);
    const exported = source && byName(source).get(secret.import.secret);
    return exported && exported !== secret ? kindOf(source, exported) : undefined;
  }

  it('fills in every template variable, and leaves the SCONE placeholders alone', async () => {
    for (const { session } of [api, redis]) {
      for (const value of stringsOf(session)) {
        expect(value.replace(/\$\$SCONE::.*?\$\$/g, '')).not.toContain('$');
      }
    }
    expect(api.session.name).toBe(SESSION_VARIABLES.API_SESSION);
    expect(redis.session.name).toBe(SESSION_VARIABLES.REDIS_SESSION);
    expect(myenv).toContain(`export API_SESSION=${SESSION_VARIABLES.API_SESSION}\n`);
    // The templates themselves hold the variables, not values.
    const template = await readFile(join(SCONE_DIR, 'api-session.yml'), 'utf8');
    expect(template).toContain('name: $API_SESSION');
    expect(template).toContain('- $API_MRENCLAVE');
  });

  it('lists the measured enclave of each service', () => {
    expect(api.session.services[0].attestation).toEqual({
      mrenclave: [SESSION_VARIABLES.API_MRENCLAVE],
    });
    expect(redis.session.services[0].attestation).toEqual({
      mrenclave: [SESSION_VARIABLES.REDIS_MRENCLAVE],
    });
  });

  it.each(['api', 'redis'] as const)(
    'names in every $$SCONE:: placeholder of the %s session a secret it has, with a valid suffix',
    (which) => {
      const session = sessions()[which];
      const found = stringsOf(session).flatMap(placeholders);
      expect(found.length).toBeGreaterThan(0);
      for (const { raw, name, suffix } of found) {
        const secret = byName(session).get(name);
        expect({ raw, defined: secret !== undefined }).toEqual({ raw, defined: true });
        const kind = kindOf(session, secret as CasSecret);
        expect({ raw, kind, validSuffix: VALID_SUFFIXES[kind ?? '']?.includes(suffix) }).toEqual({
          raw,
          kind,
          validSuffix: true,
        });
      }
    },
  );

  it('injects every file the files source needs, in SECRETS_DIR, and nothing it does not read', () => {
    const [service] = api.session.services;
    const secretsDir = service.environment?.SECRETS_DIR ?? '';
    expect(service.environment?.SECRETS_SOURCE).toBe('files');
    expect(secretsDir).toMatch(/^\//);
    const image = api.session.images?.find((i) => i.name === service.image_name);
    const paths = (image?.injection_files ?? []).map((f) => f.path);
    for (const path of paths) {
      expect({ path, dir: posix.dirname(path) }).toEqual({ path, dir: secretsDir });
      expect({ path, read: readByFilesSource(posix.basename(path)) }).toEqual({ path, read: true });
    }
    const names = paths.map((p) => posix.basename(p));
    expect(names).toEqual(expect.arrayContaining([...REQUIRED_FILES, SECRET_FILES.apiCa]));
    expect(new Set(names).size).toBe(names.length);
  });

  it('injects the API certificate leaf first, then its chain', () => {
    const file = api.session.images?.[0].injection_files?.find((f) =>
      f.path.endsWith(`/${SECRET_FILES.apiCert}`),
    );
    expect(placeholders(file?.content ?? '').map((p) => p.suffix)).toEqual([':crt', ':chain']);
  });

  it('keeps the record key a 32-byte binary secret, injected as text', () => {
    const secret = byName(api.session).get('record_key');
    expect(secret).toMatchObject({ kind: 'binary', size: 32 });
    const file = api.session.images?.[0].injection_files?.find((f) =>
      f.path.endsWith(`/${SECRET_FILES.recordKey}`),
    );
    expect(placeholders(file?.content ?? '')).toEqual([
      expect.objectContaining({
        name: 'record_key',
        suffix: expect.stringMatching(/^:(base64|hex)$/),
      }),
    ]);
  });

  it('keeps the audit key a 32-byte binary secret, injected as text', () => {
    const secret = byName(api.session).get('audit_key');
    expect(secret).toMatchObject({ kind: 'binary', size: 32 });
    const file = api.session.images?.[0].injection_files?.find((f) =>
      f.path.endsWith(`/${SECRET_FILES.auditKey}`),
    );
    expect(placeholders(file?.content ?? '')).toEqual([
      expect.objectContaining({
        name: 'audit_key',
        suffix: expect.stringMatching(/^:(base64|hex)$/),
      }),
    ]);
  });

  it('issues the API certificate for "api" from the publicly exported API CA', () => {
    const secrets = byName(api.session);
    expect(secrets.get('api_cert')).toMatchObject({
      kind: 'x509',
      issuer: 'api_ca_cert',
      san: expect.arrayContaining(['dns:api']),
    });
    expect(secrets.get('api_ca_cert')).toMatchObject({ kind: 'x509-ca', export_public: true });
    // Keeps the CA key across session updates: saved cacert.pem files stay valid.
    expect(secrets.get(secrets.get('api_ca_cert')?.private_key as string)).toMatchObject({
      kind: 'private-key',
      migrate: true,
    });
  });

  it('makes nothing but the API CA public', () => {
    const publicSecrets = [api.session, redis.session]
      .flatMap((s) => s.secrets)
      .filter((s) => s.export_public === true)
      .map((s) => s.name);
    expect(publicSecrets).toEqual(['api_ca_cert']);
  });

  it('issues the Redis certificate for the name the API verifies', () => {
    const servername = api.session.services[0].environment?.REDIS_TLS_SERVERNAME ?? 'redis';
    expect(byName(redis.session).get('redis_cert')).toMatchObject({
      kind: 'x509',
      issuer: 'redis_ca_cert',
      san: expect.arrayContaining([`dns:${servername}`]),
    });
    expect(api.session.services[0].environment?.REDIS_HOST).toBe('redis');
  });

  it.each(['api', 'redis'] as const)(
    'imports in the other session everything the %s session exports, and only that',
    (which) => {
      const exporter = sessions()[which];
      const importer = other(exporter);
      const exported = exporter.secrets.filter((s) => exportTargets(s).includes(importer.name));
      const imported = importer.secrets.filter((s) => s.import?.session === exporter.name);
      expect(imported.map((s) => s.import?.secret).sort()).toEqual(
        exported.map((s) => s.name).sort(),
      );
      for (const secret of exporter.secrets) {
        for (const target of exportTargets(secret)) {
          expect([target, secret.name]).toEqual([importer.name, secret.name]);
        }
      }
    },
  );

  it('exports the Redis CA and the client pair to the API session', () => {
    const exported = redis.session.secrets
      .filter((s) => exportTargets(s).includes(SESSION_VARIABLES.API_SESSION))
      .map((s) => s.name)
      .sort();
    expect(exported).toEqual(['redis_ca_cert', 'redis_client_cert', 'redis_client_key']);
    expect(byName(redis.session).get('redis_client_cert')).toMatchObject({
      issuer: 'redis_ca_cert',
      endpoint: 'client',
    });
  });

  it('runs the API with node directly (heap capped as in the image), never through npm', () => {
    const [service] = api.session.services;
    expect(commandWords(service)).toEqual([
      'node',
      '--max-old-space-size=512',
      '/app/dist/apps/api/main.js',
    ]);
    expect(service.pwd).toBe('/app');
  });

  it('sets the production environment the API expects', () => {
    expect(api.session.services[0].environment).toMatchObject({
      NODE_ENV: 'production',
      STORAGE_DRIVER: 'redis',
      REDIS_HOST: 'redis',
      ATTESTATION_PROVIDER: 'scone',
      SCONE_CONFIG_ID: `${SESSION_VARIABLES.API_SESSION}/api`,
      AUTH_JWKS_URL: SESSION_VARIABLES.AUTH_JWKS_URL,
      AUTH_ISSUER: SESSION_VARIABLES.AUTH_ISSUER,
      AUTH_AUDIENCE: SESSION_VARIABLES.AUTH_AUDIENCE,
    });
    // CAS passes only strings; YAML numbers or booleans would not be.
    for (const value of Object.values(api.session.services[0].environment ?? {})) {
      expect(typeof value).toBe('string');
    }
  });

  it('does not ask for ATTESTATION_REQUIRED, which the scone provider can never meet', () => {
    // Under SCONE the program has no quote to check, so the API refuses to boot with it; the
    // guarantee is the policy's (secrets only for the listed MRENCLAVE), checked by clients.
    const required = api.session.services[0].environment?.ATTESTATION_REQUIRED ?? 'false';
    expect({ ATTESTATION_REQUIRED: required }).toEqual({ ATTESTATION_REQUIRED: 'false' });
  });

  it('runs Redis with TLS only, client certificates required, the injected files and AOF', () => {
    const [service] = redis.session.services;
    const words = commandWords(service);
    const option = (name: string) => words[words.indexOf(name) + 1];
    expect(words[0]).toBe('redis-server');
    expect(option('--port')).toBe('0');
    expect(option('--tls-port')).toBe('6379');
    expect(option('--tls-auth-clients')).toBe('yes');
    expect(option('--appendonly')).toBe('yes');
    const injected = (redis.session.images?.[0].injection_files ?? []).map((f) => f.path);
    for (const flag of ['--tls-cert-file', '--tls-key-file', '--tls-ca-cert-file']) {
      expect(injected).toContain(option(flag));
    }
  });

  it('refuses to instantiate without what it needs', async () => {
    const { API_MRENCLAVE: _missing, ...rest } = SESSION_VARIABLES;
    await expect(instantiateSessions(join(dir, 'incomplete'), rest)).rejects.toThrow(
      /API_MRENCLAVE must be 64 hex digits/,
    );
    await expect(
      instantiateSessions(join(dir, 'bad-url'), {
        ...SESSION_VARIABLES,
        AUTH_JWKS_URL: 'http://idp/jwks',
      }),
    ).rejects.toThrow(/AUTH_JWKS_URL must be an https:\/\/ URL/);
  });
});
