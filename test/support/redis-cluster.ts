import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SECRET_FILES } from '@app/secrets';
import {
  createRedisClient,
  type RedisAddress,
  type RedisClient,
  type RedisConnectionOptions,
} from '@app/storage';
import type { DevSecrets } from './dev-secrets';
import { freePort } from './ports';
import { redisOptionsFor } from './redis-fixture';
import { startGroup } from './managed-process';
import { REDIS_TEST_TIMEOUTS, redisTlsFilesIn, TestRedisServer } from './redis-server';

const run = promisify(execFile);

export interface TestRedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** How long until a silent master counts as failed and its replica takes over. */
  nodeTimeoutMs?: number;
  /**
   * Nodes announce host names (`node-<i>`) that do not resolve, as nodes behind NAT or in
   * another network would: clients need a NAT map (see natMap()) to reach them.
   */
  announceHostnames?: boolean;
}

/** One node as CLUSTER NODES tells it. */
export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** For a replica: the id of its master. */
  masterId: string | null;
  failed: boolean;
  slots: number;
}

/**
 * A real Redis Cluster for tests: every node TLS only, with client certificates required, the
 * cluster bus and replication over TLS too (`tls-cluster`, `tls-replication`), on free loopback
 * ports; created with `redis-cli --cluster create`. The dev PKI's Redis certificate serves as
 * both server and client certificate between nodes.
 */
export class TestRedisCluster {
  private constructor(
    readonly nodes: TestRedisServer[],
    private readonly secrets: DevSecrets,
    private readonly options: Required<TestRedisClusterOptions>,
  ) {}

  static async start(
    secrets: DevSecrets,
    options: TestRedisClusterOptions = {},
  ): Promise<TestRedisCluster> {
    const settings: Required<TestRedisClusterOptions> = {
      masters: 3,
      replicasPerMaster: 1,
      nodeTimeoutMs: 2000,
      announceHostnames: false,
      ...options,
    };
    const count = settings.masters * (1 + settings.replicasPerMaster);
    const nodes: TestRedisServer[] = [];
    const cluster = new TestRedisCluster(nodes, secrets, settings);
    return startGroup(cluster, async () => {
      for (let i = 0; i < count; i++) {
        const port = await freePort();
        nodes.push(
          await TestRedisServer.start({
            tls: redisTlsFilesIn(secrets.secretsDir),
            port,
            extraArgs: [
              '--cluster-enabled',
              'yes',
              '--cluster-config-file',
              'nodes.conf',
              '--cluster-node-timeout',
              String(settings.nodeTimeoutMs),
              '--cluster-port',
              String(await freePort()),
              // Fail over even if the replica lost touch with its master a while ago.
              '--cluster-replica-validity-factor',
              '0',
              '--tls-cluster',
              'yes',
              '--tls-replication',
              'yes',
              ...(settings.announceHostnames
                ? [
                    '--cluster-announce-hostname',
                    `node-${i}`,
                    '--cluster-preferred-endpoint-type',
                    'hostname',
                  ]
                : []),
            ],
          }),
        );
      }
      await cluster.create();
      await cluster.waitUntilHealthy();
    });
  }

  /** The seed list for REDIS_NODES. */
  get seeds(): RedisAddress[] {
    return this.nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
  }

  /** With announceHostnames: where each announced name really is. */
  natMap(): Record<string, RedisAddress> {
    return Object.fromEntries(
      this.nodes.map((node, i) => [
        `node-${i}:${node.port}`,
        { host: '127.0.0.1', port: node.port },
      ]),
    );
  }

  /** Environment for the API to use this cluster. */
  env(): Record<string, string> {
    const nat = Object.entries(this.natMap())
      .map(([announced, { host, port }]) => `${announced}=${host}:${port}`)
      .join(',');
    return {
      STORAGE_DRIVER: 'redis',
      REDIS_MODE: 'cluster',
      REDIS_NODES: this.seeds.map(({ host, port }) => `${host}:${port}`).join(','),
      ...(this.options.announceHostnames ? { REDIS_NAT_MAP: nat } : {}),
      ...REDIS_TEST_TIMEOUTS,
    };
  }

  node(port: number): TestRedisServer {
    const found = this.nodes.find((node) => node.port === port);
    if (!found) throw new Error(`no node on port ${port}`);
    return found;
  }

  /** A plain (non-cluster) client to one node, to look at what that node holds. */
  async nodeClient(port: number): Promise<RedisClient> {
    return connectDirect(await redisOptionsFor(this.secrets, { port }, { commandTimeoutMs: 2000 }));
  }

  /** CLUSTER NODES as seen by a node that is up. */
  async topology(): Promise<ClusterNodeInfo[]> {
    const alive = this.nodes.find((node) => node.running);
    if (!alive) throw new Error('no node is running');
    const client = await this.nodeClient(alive.port);
    try {
      const text = (await client.call('CLUSTER', 'NODES')) as string;
      return text
        .trim()
        .split('\n')
        .map((line) => {
          const [id, address, flags, masterId, , , , , ...slots] = line.split(' ');
          const port = Number(/:(\d+)@/.exec(address)?.[1]);
          const flagList = flags.split(',');
          return {
            id,
            port,
            role: flagList.includes('master') ? 'master' : 'replica',
            masterId: masterId === '-' ? null : masterId,
            failed: flagList.includes('fail') || flagList.includes('fail?'),
            slots: slots.reduce((sum, range) => {
              const [from, to = from] = range.split('-').map(Number);
              return range.startsWith('[') ? sum : sum + (to - from + 1);
            }, 0),
          } satisfies ClusterNodeInfo;
        });
    } finally {
      client.disconnect();
    }
  }

  /** Every running node sees the cluster ok, and every running replica is in sync. */
  async waitUntilHealthy(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const states = await Promise.all(
          this.nodes
            .filter((node) => node.running)
            .map(async (node) => {
              const client = await this.nodeClient(node.port);
              try {
                const info = (await client.call('CLUSTER', 'INFO')) as string;
                const replication = await client.info('replication');
                return (
                  /cluster_state:ok/.test(info) &&
                  (/role:master/.test(replication) || /master_link_status:up/.test(replication))
                );
              } finally {
                client.disconnect();
              }
            }),
        );
        if (states.every(Boolean)) return;
        last = 'not every node is ok yet';
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((done) => setTimeout(done, 200));
    }
    throw new Error(`the cluster did not become healthy: ${last}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  private async create(): Promise<void> {
    const tls = this.clientTlsFiles();
    await run(
      redisCliBinary(),
      [
        '--tls',
        '--cert',
        tls.cert,
        '--key',
        tls.key,
        '--cacert',
        tls.ca,
        '--cluster',
        'create',
        ...this.nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        String(this.options.replicasPerMaster),
        '--cluster-yes',
      ],
      { timeout: 60000 },
    );
  }

  /** redis-cli needs files: the client certificate of the secrets folder. */
  private clientTlsFiles(): { ca: string; cert: string; key: string } {
    const dir = this.secrets.secretsDir;
    return {
      ca: join(dir, SECRET_FILES.redisCa),
      cert: join(dir, SECRET_FILES.redisCert),
      key: join(dir, SECRET_FILES.redisKey),
    };
  }
}

/** A direct client (fails at once when it cannot connect, and then gives up). */
export async function connectDirect(options: RedisConnectionOptions): Promise<RedisClient> {
  const client = createRedisClient(options);
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  }
}

export function redisCliBinary(): string {
  const found = ['/usr/bin/redis-cli', '/usr/local/bin/redis-cli'].find((path) => existsSync(path));
  return found ?? 'redis-cli';
}
