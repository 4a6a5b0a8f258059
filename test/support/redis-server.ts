import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_FILES, SECRET_FILES } from '@app/secrets';
import { ManagedProcess } from './managed-process';
import { freePort } from './ports';

/** Where the Redis TLS files are: a dev secrets folder has all three. */
export interface RedisTlsFiles {
  cert: string;
  key: string;
  ca: string;
}

export interface RedisServerOptions {
  tls: RedisTlsFiles;
  port?: number;
  /** Append-only file on (with fsync always): what production uses. */
  appendonly?: boolean;
  dir?: string;
  extraArgs?: string[];
  /** A redis.conf to run as shipped: only the port, address and certificates are added. */
  configFile?: string;
}

/** Timeouts the API gets for a test Redis: short, so that an outage shows at once. */
export const REDIS_TEST_TIMEOUTS = {
  REDIS_COMMAND_TIMEOUT_MS: '1000',
  REDIS_CONNECT_TIMEOUT_MS: '2000',
} as const;

export function redisTlsFilesIn(secretsDir: string): RedisTlsFiles {
  return {
    cert: join(secretsDir, DEV_FILES.redisServerCert),
    key: join(secretsDir, DEV_FILES.redisServerKey),
    ca: join(secretsDir, SECRET_FILES.redisCa),
  };
}

export function redisServerBinary(): string {
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'redis-server is not installed: run `make deps` (apt-get install redis-server)',
    );
  }
}

/**
 * A real redis-server for tests: TLS only (`--port 0`), client certificates required, on a free
 * loopback port. Can be stopped, killed and started again on the same port and data folder.
 */
export class TestRedisServer {
  private readonly process: ManagedProcess;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {
    this.process = new ManagedProcess(
      'redis-server',
      redisServerBinary(),
      () => this.args(),
      /Ready to accept connections/,
    );
  }

  static async start(options: RedisServerOptions): Promise<TestRedisServer> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'redis-test-')));
    const server = new TestRedisServer(options.port ?? (await freePort()), dir, options);
    await server.start();
    return server;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** Environment for the API to use this Redis. */
  env(): Record<string, string> {
    return {
      STORAGE_DRIVER: 'redis',
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(this.port),
      ...REDIS_TEST_TIMEOUTS,
    };
  }

  args(): string[] {
    const { tls, configFile } = this.options;
    const where = [
      '--tls-port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--tls-cert-file',
      tls.cert,
      '--tls-key-file',
      tls.key,
      '--tls-ca-cert-file',
      tls.ca,
    ];
    if (configFile) return [configFile, ...where];
    return [
      '--port',
      '0',
      ...where,
      '--tls-auth-clients',
      'yes',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      this.options.appendonly ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--logfile',
      '',
      '--daemonize',
      'no',
      ...(this.options.extraArgs ?? []),
    ];
  }

  start(): Promise<void> {
    return this.process.start();
  }

  /** Graceful stop (SHUTDOWN semantics via SIGTERM). */
  stop(): Promise<void> {
    return this.process.signal('SIGTERM');
  }

  /** Abrupt death, as in a crash. */
  kill(): Promise<void> {
    return this.process.signal('SIGKILL');
  }
}
