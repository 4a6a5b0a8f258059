import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisAddress, RedisClient } from '@app/storage';
import type { DevSecrets } from './dev-secrets';
import { ManagedProcess, startGroup } from './managed-process';
import { freePort } from './ports';
import { connectDirect } from './redis-cluster';
import { redisOptionsFor } from './redis-fixture';
import {
  REDIS_TEST_TIMEOUTS,
  redisServerBinary,
  redisTlsFilesIn,
  TestRedisServer,
  type RedisTlsFiles,
} from './redis-server';

/** One redis-sentinel (`redis-server <conf> --sentinel`), TLS only, speaking TLS to Redis. */
class SentinelProcess extends ManagedProcess {
  constructor(
    readonly port: number,
    config: string,
  ) {
    super('redis-sentinel', redisServerBinary(), () => [config, '--sentinel'], /\+monitor master/);
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }
}

export interface TestRedisSentinelOptions {
  masterName?: string;
  sentinels?: number;
  /** How long a silent master takes to count as down. */
  downAfterMs?: number;
}

/**
 * A real Sentinel deployment for tests: one master, one replica, three sentinels, every process
 * TLS only with client certificates required, replication and sentinel-to-Redis links over TLS.
 */
export class TestRedisSentinels {
  private constructor(
    readonly master: TestRedisServer,
    readonly replica: TestRedisServer,
    private readonly sentinels: SentinelProcess[],
    readonly masterName: string,
    private readonly secrets: DevSecrets,
  ) {}

  static async start(
    secrets: DevSecrets,
    options: TestRedisSentinelOptions = {},
  ): Promise<TestRedisSentinels> {
    const masterName = options.masterName ?? 'patients';
    const tls = redisTlsFilesIn(secrets.secretsDir);
    const master = await TestRedisServer.start({ tls, extraArgs: ['--tls-replication', 'yes'] });
    const replica = await TestRedisServer.start({
      tls,
      extraArgs: ['--tls-replication', 'yes', '--replicaof', '127.0.0.1', String(master.port)],
    });
    const sentinels: SentinelProcess[] = [];
    const group = new TestRedisSentinels(master, replica, sentinels, masterName, secrets);
    return startGroup(group, async () => {
      for (let i = 0; i < (options.sentinels ?? 3); i++) {
        const port = await freePort();
        const dir = await mkdtemp(join(tmpdir(), 'redis-sentinel-'));
        const config = join(dir, 'sentinel.conf');
        await writeFile(
          config,
          sentinelConfig(port, dir, tls, masterName, master.port, options.downAfterMs ?? 1000),
        );
        const sentinel = new SentinelProcess(port, config);
        sentinels.push(sentinel);
        await sentinel.start();
      }
      await group.waitUntilMonitored();
    });
  }

  get sentinelAddresses(): RedisAddress[] {
    return this.sentinels.map((sentinel) => ({ host: '127.0.0.1', port: sentinel.port }));
  }

  /** Environment for the API to use this deployment. */
  env(): Record<string, string> {
    return {
      STORAGE_DRIVER: 'redis',
      REDIS_MODE: 'sentinel',
      REDIS_NODES: this.sentinelAddresses.map(({ host, port }) => `${host}:${port}`).join(','),
      REDIS_SENTINEL_MASTER: this.masterName,
      ...REDIS_TEST_TIMEOUTS,
    };
  }

  /** The master's port as the first sentinel that answers says. */
  async masterPort(): Promise<number> {
    for (const address of this.sentinelAddresses) {
      try {
        const client = await this.connect(address.port);
        try {
          const reply = (await client.call(
            'SENTINEL',
            'GET-MASTER-ADDR-BY-NAME',
            this.masterName,
          )) as [string, string];
          return Number(reply[1]);
        } finally {
          client.disconnect();
        }
      } catch {
        // try the next sentinel
      }
    }
    throw new Error('no sentinel answered');
  }

  /** Asks a sentinel to fail over now (the master may be alive); retries until one accepts. */
  async failover(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const client = await this.connect(this.sentinels[0].port);
      try {
        await client.call('SENTINEL', 'FAILOVER', this.masterName);
        return;
      } catch (error) {
        // NOGOODSLAVE until the sentinels trust the replica; INPROG while one is running.
        last = (error as Error).message;
      } finally {
        client.disconnect();
      }
      await new Promise((done) => setTimeout(done, 300));
    }
    throw new Error(`no sentinel would fail over: ${last}`);
  }

  /** A direct client to a Redis (or sentinel) process on this port. */
  async connect(port: number): Promise<RedisClient> {
    return connectDirect(await redisOptionsFor(this.secrets, { port }, { commandTimeoutMs: 2000 }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.sentinels.map((sentinel) => sentinel.stop()));
    await Promise.all([this.master.stop(), this.replica.stop()]);
  }

  /** Every sentinel knows the replica and the other sentinels, and the replica is in sync. */
  private async waitUntilMonitored(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const others = String(this.sentinels.length - 1);
    while (Date.now() < deadline) {
      const states = await Promise.all(
        this.sentinels.map(async (sentinel) => {
          const client = await this.connect(sentinel.port).catch(() => null);
          if (!client) return false;
          try {
            const flat = (await client.call('SENTINEL', 'MASTER', this.masterName)) as string[];
            const fields = new Map<string, string>();
            for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i], flat[i + 1]);
            return fields.get('num-slaves') === '1' && fields.get('num-other-sentinels') === others;
          } finally {
            client.disconnect();
          }
        }),
      );
      const replica = await this.connect(this.replica.port);
      const synced = /master_link_status:up/.test(await replica.info('replication'));
      replica.disconnect();
      if (synced && states.every(Boolean)) return;
      await new Promise((done) => setTimeout(done, 200));
    }
    throw new Error('the sentinels did not see the whole deployment in time');
  }
}

function sentinelConfig(
  port: number,
  dir: string,
  tls: RedisTlsFiles,
  masterName: string,
  masterPort: number,
  downAfterMs: number,
): string {
  return [
    'port 0',
    `tls-port ${port}`,
    'bind 127.0.0.1',
    `tls-cert-file ${tls.cert}`,
    `tls-key-file ${tls.key}`,
    `tls-ca-cert-file ${tls.ca}`,
    'tls-auth-clients yes',
    // Sentinels reach Redis (and announce themselves) over TLS.
    'tls-replication yes',
    `dir ${dir}`,
    'logfile ""',
    'daemonize no',
    `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
    `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
    `sentinel failover-timeout ${masterName} 10000`,
    `sentinel parallel-syncs ${masterName} 1`,
    '',
  ].join('\n');
}
