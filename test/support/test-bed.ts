import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisClient } from '@app/storage';
import { makeDevSecrets, type DevSecrets } from './dev-secrets';
import { fixture, type Teardown } from './fixture';
import { inspectRedis, startRedisFor } from './redis-fixture';
import { TestRedisServer } from './redis-server';

export type Env = Record<string, string>;

/** A Redis deployment for tests: the environment that points the API at it, and a stop. */
export interface TestRedis {
  env(): Env;
  stop(): Promise<void>;
}

/** What a suite has before any API runs. */
export interface TestBedBase {
  secrets: DevSecrets;
  /** A scratch folder for the suite, removed after it. */
  dir: string;
  /** A fresh, empty folder inside `dir`. */
  tempDir(prefix?: string): Promise<string>;
  /** Runs `task` in afterAll, before what the fixture made is torn down (last in, first out). */
  cleanup(task: () => unknown): void;
}

export interface TestBed<R extends TestRedis = TestRedisServer> extends TestBedBase {
  /** The Redis the API uses (with the `redis` option). */
  redis: R;
  /** A direct client to that Redis (with `direct: true`), to see what the API stored. */
  direct: RedisClient;
}

export interface TestBedOptions<R extends TestRedis> {
  /**
   * A real Redis over mutual TLS: `true` for one redis-server, `{ appendonly: true }` for one that
   * fsyncs every write as production does, or a function that starts another deployment (a
   * cluster, sentinels). Without it the API stores in memory.
   */
  redis?: true | { appendonly?: boolean } | ((bed: TestBedBase) => Promise<R>);
  /** Opens `direct` (a standalone Redis only). */
  direct?: boolean;
}

/** Dev secrets, a scratch folder and, if asked, a Redis: for suites that run no API. */
export function useTestBed<R extends TestRedis = TestRedisServer>(
  options: TestBedOptions<R> = {},
): TestBed<R> {
  return fixture('useTestBed', (teardown) => openTestBed(options, teardown));
}

/** The bed's set-up, for the fixtures that build on it; what it made is torn down by `teardown`. */
export async function openTestBed<R extends TestRedis>(
  options: TestBedOptions<R>,
  teardown: Teardown,
): Promise<TestBed<R>> {
  const dir = await mkdtemp(join(tmpdir(), 'patient-api-test-'));
  teardown.add(() => rm(dir, { recursive: true, force: true }));
  const secrets = await makeDevSecrets();
  teardown.add(() => rm(secrets.stateDir, { recursive: true, force: true }));
  const base: TestBedBase = {
    secrets,
    dir,
    tempDir: (prefix = 'tmp-') => mkdtemp(join(dir, prefix)),
    cleanup: (task) => teardown.add(task),
  };
  const redis = await startRedis(base, options.redis);
  if (redis) teardown.add(() => redis.stop());
  let direct: RedisClient | undefined;
  if (options.direct) {
    if (!(redis instanceof TestRedisServer)) throw new Error('direct: needs a standalone Redis');
    const client = await inspectRedis(secrets, redis);
    // A test may have paused Redis (CLIENT PAUSE): let it go, so that stopping it does not wait.
    teardown.add(async () => {
      await client.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      client.disconnect();
    });
    direct = client;
  }
  return { ...base, redis: redis as R, direct: direct as RedisClient };
}

async function startRedis<R extends TestRedis>(
  base: TestBedBase,
  redis: TestBedOptions<R>['redis'],
): Promise<TestRedis | undefined> {
  if (redis === undefined) return undefined;
  if (typeof redis === 'function') return redis(base);
  return startRedisFor(base.secrets, redis === true ? {} : redis);
}
