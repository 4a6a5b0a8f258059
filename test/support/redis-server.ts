import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
}

export function redisTlsFilesIn(secretsDir: string): RedisTlsFiles {
  return {
    cert: join(secretsDir, 'redis.crt'),
    key: join(secretsDir, 'redis.key'),
    ca: join(secretsDir, 'redis-ca.crt'),
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

  args(): string[] {
    const { tls } = this.options;
    return [
      '--port',
      '0',
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
