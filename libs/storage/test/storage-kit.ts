import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { rm } from 'node:fs/promises';
import type { RecordKeyRing } from '@app/secrets';
import {
  createRedisClient,
  PatientRepository,
  RecordKeyRotator,
  StorageModule,
  TenantMigrator,
  type PatientDocument,
  type RedisClient,
  type RedisConnectionOptions,
  type StorageModuleOptions,
} from '@app/storage';
import { AesGcmRecordCipher } from '@app/storage/crypto/aes-gcm-record-cipher';
import { eventually } from '@test/support/eventually';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import { TestRedisCluster } from '@test/support/redis-cluster';
import { redisOptionsFor, startRedisFor } from '@test/support/redis-fixture';
import { TestRedisSentinels } from '@test/support/redis-sentinel';

export type RedisMode = RedisConnectionOptions['mode'];

/** The storage ports as the application gets them: StorageModule, started and stopped by Nest. */
export interface StorageContext {
  repository: PatientRepository;
  rotator: RecordKeyRotator;
  migrator: TenantMigrator;
  close(): Promise<void>;
}

export async function openStorage(
  options: StorageModuleOptions,
  logger: LoggerService | false = false,
): Promise<StorageContext> {
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    StorageModule.forRoot(options),
    { logger },
  );
  return {
    repository: app.get(PatientRepository),
    rotator: app.get(RecordKeyRotator),
    migrator: app.get(TenantMigrator),
    close: () => app.close(),
  };
}

/** A real TLS Redis in one of the three modes, with the dev secrets' certificates. */
export interface TestRedis {
  mode: RedisMode;
  options: RedisConnectionOptions;
  /** A client of the same mode, to look at (or tamper with) what is stored. */
  direct(): Promise<RedisClient>;
  /** Each master's own client (one outside Cluster), e.g. to SCAN it. */
  masters(): Promise<RedisClient[]>;
  /** The data folder of the server holding `key` (standalone only). */
  dir?: string;
  stop(): Promise<void>;
}

export async function startTestRedis(
  secrets: DevSecrets,
  mode: RedisMode,
  settings: { appendonly?: boolean } = {},
): Promise<TestRedis> {
  const tlsOf = async (server: { port: number }) => (await redisOptionsFor(secrets, server)).tls;
  if (mode === 'standalone') {
    const server = await startRedisFor(secrets, settings);
    const options = await redisOptionsFor(secrets, server);
    return {
      mode,
      options,
      dir: server.dir,
      direct: () => connected(options),
      masters: async () => [await connected(options)],
      stop: () => server.stop(),
    };
  }
  if (mode === 'sentinel') {
    const group = await TestRedisSentinels.start(secrets);
    const options: RedisConnectionOptions = {
      mode,
      nodes: group.sentinelAddresses,
      sentinelMaster: group.masterName,
      tls: await tlsOf(group.master),
      commandTimeoutMs: 1000,
      connectTimeoutMs: 2000,
    };
    return {
      mode,
      options,
      direct: () => connected(options),
      masters: async () => [await group.connect(await group.masterPort())],
      stop: () => group.stop(),
    };
  }
  const cluster = await TestRedisCluster.start(secrets, { replicasPerMaster: 0 });
  const options: RedisConnectionOptions = {
    mode,
    nodes: cluster.seeds,
    tls: await tlsOf(cluster.nodes[0]),
    commandTimeoutMs: 1000,
    connectTimeoutMs: 2000,
  };
  return {
    mode,
    options,
    direct: () => connected(options),
    masters: async () => {
      const masters = (await cluster.topology()).filter((node) => node.role === 'master');
      return Promise.all(masters.map((node) => cluster.nodeClient(node.port)));
    },
    stop: () => cluster.stop(),
  };
}

async function connected(options: RedisConnectionOptions): Promise<RedisClient> {
  const client = createRedisClient(options);
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Dev secrets for one spec file, removed after it. */
export function useDevSecrets(): { secrets: DevSecrets } {
  const context = {} as { secrets: DevSecrets };
  beforeAll(async () => {
    context.secrets = await makeDevSecrets();
  });
  afterAll(async () => {
    if (context.secrets) await rm(context.secrets.stateDir, { recursive: true, force: true });
  });
  return context;
}

export async function redisStorage(
  redis: TestRedis,
  keyRing: RecordKeyRing,
  extra: Partial<StorageModuleOptions> = {},
  logger: LoggerService | false = false,
): Promise<StorageContext> {
  const options = { driver: 'redis' as const, redis: redis.options, keyRing, connectWaitMs: 10000 };
  const storage = await openStorage({ ...options, ...extra }, logger);
  // A cluster client is ready before it knows every node: wait until all masters answer.
  await eventually(
    () =>
      storage.repository.ping().then(
        () => true,
        () => false,
      ),
    Boolean,
    10000,
  );
  return storage;
}

/** A Nest logger that keeps the lines (`<level> <message>`) for the test to read. */
export function collectingLogger(): LoggerService & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: unknown) => lines.push(`${level} ${String(message)}`);
  return {
    lines,
    log: keep('log'),
    warn: keep('warn'),
    error: keep('error'),
    debug: keep('debug'),
    verbose: keep('verbose'),
    fatal: keep('fatal'),
  };
}

export const doc = (name: string, score = 0.1): PatientDocument => ({
  fields: { fname: name, lname: 'Doe', preexistingconditions: 'asthma' },
  score,
  scoreModel: 'test@1',
});

/** Every key matching `pattern` on every master. */
export async function keysOn(redis: TestRedis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for (const master of await redis.masters()) {
    try {
      keys.push(...(await master.keys(pattern)));
    } finally {
      master.disconnect();
    }
  }
  return keys.sort();
}

/**
 * Seals a record exactly as the code before tenants did (envelope v1; authenticated data: the
 * id and revision), written out here rather than taken from the migration's own reader.
 */
export function sealAsBeforeTenants(
  cipher: AesGcmRecordCipher,
  id: string,
  rev: number,
  record: PatientDocument,
): string {
  const aad = Buffer.from(`patient-record/v1\0${id}\0${rev}`, 'utf8');
  const box = cipher.seal(Buffer.from(JSON.stringify(record), 'utf8'), aad);
  return JSON.stringify({
    v: 1,
    rev,
    kid: box.kid,
    iv: box.iv.toString('base64'),
    ct: box.ct.toString('base64'),
    tag: box.tag.toString('base64'),
  });
}

/** Stores a record the way the code before tenants did: index entry first, then the value. */
export async function writeAsBeforeTenants(
  direct: RedisClient,
  id: string,
  value: string,
  { listed = true }: { listed?: boolean } = {},
): Promise<void> {
  if (listed) await direct.zadd('patients:index', 0, id);
  await direct.set(`patient:${id}`, value, 'NX');
}
