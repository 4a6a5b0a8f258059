import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { rm } from 'node:fs/promises';
import type { RecordKeyRing } from '@app/secrets';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AuditStore,
  AuditVerifier,
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
  audit: AuditStore;
  verifier: AuditVerifier;
  close(): Promise<void>;
}

/** Storage options as a test gives them: without an audit key, the run's own one. */
export type TestStorageOptions = Omit<StorageModuleOptions, 'auditKey'> & { auditKey?: Buffer };

/** One audit key for the whole run, so that stores opened one after another verify alike. */
export const TEST_AUDIT_KEY = randomBytes(32);

export async function openStorage(
  options: TestStorageOptions,
  logger: LoggerService | false = false,
): Promise<StorageContext> {
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    StorageModule.forRoot({ auditKey: TEST_AUDIT_KEY, ...options }),
    { logger },
  );
  return {
    repository: app.get(PatientRepository),
    rotator: app.get(RecordKeyRotator),
    migrator: app.get(TenantMigrator),
    audit: app.get(AuditStore),
    verifier: app.get(AuditVerifier),
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
  extra: Partial<TestStorageOptions> = {},
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

/** An audit event shaped like the API's (what a request to a patient route records). */
export function auditEvent(
  tenant: string,
  patientIds: string[],
  { action = 'patient.read', outcome = 'success' }: { action?: string; outcome?: string } = {},
) {
  return {
    time: new Date().toISOString(),
    tenant,
    actor: 'dr.grey@clinic.example',
    clientId: 'ward-app',
    tokenId: randomUUID(),
    action,
    patientIds,
    outcome,
    requestId: randomUUID(),
    clientAddress: '10.20.30.40',
    userAgent: 'ward-app/2.4 (iPad; iOS 17.5)',
  };
}

/**
 * Rewrites a stream entry in place, as someone with access to Redis could (a stream entry cannot
 * be edited: the stream is rebuilt with the same ids).
 */
export async function rewriteStreamEntry(
  direct: RedisClient,
  key: string,
  id: string,
  edit: (fields: Record<string, string>) => void,
): Promise<void> {
  const entries = await direct.xrange(key, '-', '+');
  await direct.del(key);
  for (const [entryId, list] of entries) {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < list.length; i += 2) fields[list[i]] = list[i + 1];
    if (entryId === id) edit(fields);
    await direct.xadd(key, entryId, ...Object.entries(fields).flat());
  }
}
