import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { envDtoVariables } from './chart-source';

/**
 * The compose files, checked against what they start: the API's configuration (EnvironmentVariables), the image
 * (docker/Dockerfile), Redis's config, the make-secrets one-shot and the CAS session templates.
 * docker/compose.yml also runs for real in `make test-deploy`; docker/scone/compose.yml needs SGX,
 * so these checks are all it gets here.
 */
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const yaml = (path: string) => load(read(path)) as Record<string, any>;
const envVariables = envDtoVariables(read('apps/api/src/config/environment-variables.ts'));

/** `volume:/path[:ro]` entries of a service, as target path → source. */
function mounts(service: { volumes?: string[] }): Map<string, string> {
  return new Map(
    (service.volumes ?? []).map((entry) => {
      const [source, target] = entry.split(':');
      return [target, source];
    }),
  );
}

/** The value after a flag in a command list. */
function argAfter(command: string[], flag: string): string {
  const index = command.indexOf(flag);
  if (index < 0) throw new Error(`${flag} is not in ${command.join(' ')}`);
  return command[index + 1];
}

/** `directive value` lines of a redis.conf. */
function redisConf(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const [directive, ...rest] = line.split(/\s+/);
        return [directive.toLowerCase(), rest.join(' ').replace(/^"(.*)"$/, '$1')];
      }),
  );
}

describe('docker/compose.yml (outside SGX)', () => {
  const compose = yaml('docker/compose.yml');
  const { secrets, redis, api } = compose.services;

  it('has the one-shot secrets service, Redis and the API', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'redis', 'secrets']);
    expect(secrets.restart).toBe('no');
    expect(api.depends_on).toMatchObject({
      secrets: { condition: 'service_completed_successfully' },
    });
    expect(redis.depends_on).toMatchObject({
      secrets: { condition: 'service_completed_successfully' },
    });
  });

  it('runs the API in production with files secrets, Redis storage and auth on', () => {
    expect(api.environment).toMatchObject({
      NODE_ENV: 'production',
      SECRETS_SOURCE: 'files',
      STORAGE_DRIVER: 'redis',
      REDIS_HOST: 'redis',
      AUTH_MODE: 'jwt',
    });
    const unknown = Object.keys(api.environment).filter((name) => !envVariables.has(name));
    expect(unknown).toEqual([]);
  });

  it('gives the API the folder the one-shot fills for it, owned by the image user', () => {
    const command: string[] = secrets.command;
    expect(command.slice(0, 2)).toEqual(['node', 'dist/apps/api/make-secrets.js']);
    const apiDir = argAfter(command, '--api-dir');
    const volume = mounts(secrets).get(apiDir);
    expect(volume).toBeDefined();
    expect(mounts(api).get(api.environment.SECRETS_DIR)).toBe(volume);
    // The Dockerfile's USER is who reads the keys (0400).
    const user = /^USER (\d+:\d+)$/m.exec(read('docker/Dockerfile'))?.[1];
    expect(argAfter(command, '--api-owner')).toBe(user);
  });

  it('gives Redis the folder its redis.conf reads TLS files from: TLS only, client certs, AOF', () => {
    const conf = redisConf(read('docker/redis/redis.conf'));
    expect(conf.get('port')).toBe('0');
    expect(conf.get('tls-port')).toBe('6379');
    expect(conf.get('tls-auth-clients') ?? 'yes').toBe('yes');
    expect(conf.get('appendonly')).toBe('yes');

    const confPath = (redis.command as string[])[1];
    expect(redis.command[0]).toBe('redis-server');
    expect(redis.volumes.some((v: string) => v.split(':')[1] === confPath)).toBe(true);
    expect(redis.volumes[0]).toMatch(/redis\/redis\.conf/);

    const tlsVolume = mounts(secrets).get(argAfter(secrets.command, '--redis-dir'));
    const files = ['tls-cert-file', 'tls-key-file', 'tls-ca-cert-file'].map((d) => conf.get(d));
    for (const file of files) {
      expect(file).toBeDefined();
      expect(mounts(redis).get(posix.dirname(file!))).toBe(tlsVolume);
    }
    // The names make-secrets copies into the Redis folder.
    expect(files.map((file) => posix.basename(file!)).sort()).toEqual(
      ['redis-ca.crt', 'redis.crt', 'redis.key'].sort(),
    );
    expect(mounts(redis).get(conf.get('dir') ?? '/data')).toBe('redis-data');
  });

  it('publishes the API on loopback only (the stack runs on dev keys)', () => {
    expect(api.ports).toEqual([
      expect.stringMatching(/^127\.0\.0\.1:.*:4996$/),
      expect.stringMatching(/^127\.0\.0\.1:.*:9443$/),
    ]);
  });
});

describe('docker/scone/compose.yml (SGX; not runnable here)', () => {
  const compose = yaml('docker/scone/compose.yml');
  const { las, redis, api } = compose.services;
  const apiSession = yaml('docker/scone/api-session.yml');
  const redisSession = yaml('docker/scone/redis-session.yml');
  const instantiate = read('docker/scone/instantiate-sessions.sh');

  it('has LAS, SCONE Redis and the sconified API, each with the SGX device', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'las', 'redis']);
    for (const service of [las, redis, api]) {
      expect(service.devices).toEqual(expect.arrayContaining([expect.stringMatching(/sgx/)]));
    }
  });

  it("points each enclave at its session's service, through LAS", () => {
    const [apiService] = apiSession.services;
    const [redisService] = redisSession.services;
    expect(api.environment.SCONE_CONFIG_ID).toMatch(
      new RegExp(`^\\$\\{API_SESSION[^}]*\\}/${apiService.name}$`),
    );
    expect(redis.environment.SCONE_CONFIG_ID).toMatch(
      new RegExp(`^\\$\\{REDIS_SESSION[^}]*\\}/${redisService.name}$`),
    );
    for (const service of [api, redis]) {
      expect(service.environment.SCONE_LAS_ADDR).toBe('las');
      expect(service.environment.SCONE_CAS_ADDR).toMatch(/^\$\{SCONE_CAS_ADDR/);
    }
  });

  it('matches the sessions: service names, commands, Redis data folder and API port', () => {
    const [apiService] = apiSession.services;
    const [redisService] = redisSession.services;
    // The API session reaches Redis by this compose service's name.
    expect(apiService.environment.REDIS_HOST).toBe('redis');
    expect((api.command as string[]).join(' ')).toBe(apiService.command);
    expect(redisService.command).toContain('--dir /data');
    expect(redis.volumes).toEqual(['redis-data:/data']);
    expect(api.ports).toEqual([expect.stringMatching(/:4996$/)]);
    // What the session sets, the files source reads from the folder docker/compose.yml uses.
    expect(apiService.environment.SECRETS_DIR).toBe(
      yaml('docker/compose.yml').services.api.environment.SECRETS_DIR,
    );
  });

  it('reads only variables that myenv (instantiate-sessions.sh) exports or that have defaults', () => {
    const exported = new Set(
      /for name in ([A-Z_\s\\]+?); do\s+printf 'export/.exec(instantiate)?.[1].split(/[\s\\]+/),
    );
    const text = read('docker/scone/compose.yml');
    const required = [...text.matchAll(/\$\{([A-Z_]+)(?::\?[^}]*)?\}/g)].map((m) => m[1]);
    const missing = required.filter((name) => name !== 'LAS_IMAGE' && !exported.has(name));
    expect(required.length).toBeGreaterThan(3);
    expect(missing).toEqual([]);
  });
});
