import { Writable } from 'node:stream';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { mintDevToken } from '../../apps/api/src/auth/dev-token';
import { contractClient, startTestApi, testEnv, type TestApi } from './api';
import { ApiProcess } from './api-process';
import { fixture, type Teardown } from './fixture';
import type { HttpsClient } from './https-client';
import type { TestRedisServer } from './redis-server';
import { SEED_FIELDS } from './seed';
import {
  openTestBed,
  type Env,
  type TestBed,
  type TestBedOptions,
  type TestRedis,
} from './test-bed';

export interface TestApiOptions<R extends TestRedis> extends TestBedOptions<R> {
  /** Environment over the test defaults and the Redis's; a function may read the bed. */
  env?: Env | ((bed: TestBed<R>) => Env | Promise<Env>);
  /** Collects the API's log lines in `logs`, at LOG_LEVEL=info unless `env` says otherwise. */
  logs?: boolean;
  /** Runs once the bed is ready, before the API starts (to spoil a secret, say). */
  setup?: (bed: TestBed<R>) => Promise<void>;
  /** Patients created with the seed's fields (form-encoded) once the API is up. */
  patients?: string[];
  /** false: no API in beforeAll; the tests start theirs with `start()`. */
  start?: boolean;
}

export interface TestApiSetup<R extends TestRedis = TestRedisServer> extends TestBed<R> {
  /** The environment the fixture gives every API it starts. */
  env: Env;
  /** The APIs' log lines (with `logs: true`). */
  logs: string[];
  /**
   * Starts another API on this bed, with `env` over the fixture's (or a function of the
   * fixture's env). It is stopped when the test that started it ends.
   */
  start(env?: Env | ((base: Env) => Env)): Promise<TestApi>;
}

export type TestApiContext<R extends TestRedis = TestRedisServer> = TestApiSetup<R> &
  Omit<TestApi, 'stop'>;

/**
 * The real API in-process for the calling describe block: dev secrets, the Redis asked for,
 * and an API started in beforeAll and stopped in afterAll. Every client it hands out checks each
 * answer against the committed contract.
 */
export function useTestApi<R extends TestRedis = TestRedisServer>(
  options: TestApiOptions<R> & { start: false },
): TestApiSetup<R>;
export function useTestApi<R extends TestRedis = TestRedisServer>(
  options?: TestApiOptions<R>,
): TestApiContext<R>;
export function useTestApi<R extends TestRedis>(
  options: TestApiOptions<R> = {},
): TestApiSetup<R> | TestApiContext<R> {
  const startedInTest: TestApi[] = [];
  afterEach(async () => {
    await Promise.all(startedInTest.splice(0).map((api) => api.stop()));
  });
  return fixture('useTestApi', async (teardown) => {
    const { context, logOptions } = await openTestApi(options, teardown, startedInTest);
    if (options.start === false) return context;
    const api = await startTestApi(context.secrets, context.env, logOptions);
    teardown.add(() => api.stop());
    for (const id of options.patients ?? []) {
      const res = await api.client.post(`/patient/${id}`, { form: SEED_FIELDS });
      if (res.status !== 200) throw new Error(`creating ${id} answered ${res.status}: ${res.text}`);
    }
    const { stop: _stop, ...running } = api;
    return { ...context, ...running };
  });
}

async function openTestApi<R extends TestRedis>(
  options: TestApiOptions<R>,
  teardown: Teardown,
  startedInTest: TestApi[],
) {
  const bed = await openTestBed(options, teardown);
  await options.setup?.(bed);
  const extra = typeof options.env === 'function' ? await options.env(bed) : options.env;
  const logs: string[] = [];
  const env: Env = {
    ...(options.logs ? { LOG_LEVEL: 'info' } : {}),
    ...(bed.redis ? bed.redis.env() : {}),
    ...extra,
  };
  const logOptions = options.logs ? { logDestination: lineCollector(logs) } : {};
  const context: TestApiSetup<R> = {
    ...bed,
    env,
    logs,
    start: async (more = {}) => {
      const api = await startTestApi(
        bed.secrets,
        typeof more === 'function' ? more(env) : { ...env, ...more },
        logOptions,
      );
      startedInTest.push(api);
      return api;
    },
  };
  return { context, logOptions };
}

function lineCollector(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
}

export interface ApiProcessContext<R extends TestRedis = TestRedisServer> extends TestBed<R> {
  /** `node dist/apps/api/main.js`, ready (GET /health/ready answered 200). */
  process: ApiProcess;
  url: string;
  /** Sends a dev token with every scope; checks answers against the contract. */
  client: HttpsClient;
  /** Sends no token; checks answers against the contract. */
  anonymous: HttpsClient;
}

/**
 * The built API as its own process, for what only a process shows (signals, exit codes): dev
 * secrets, the Redis asked for, the bundle started and ready in beforeAll, killed in afterAll.
 */
export function useApiProcess<R extends TestRedis = TestRedisServer>(
  options: TestBedOptions<R> & { env?: Env } = {},
): ApiProcessContext<R> {
  return fixture('useApiProcess', async (teardown) => {
    const bed = await openTestBed(options, teardown);
    const env: Env = {
      ...testEnv(bed.secrets),
      ...(bed.redis ? bed.redis.env() : {}),
      ...options.env,
    };
    const token = await mintDevToken(bed.secrets.signingKey, loadConfig(env));
    const apiProcess = await ApiProcess.start(env);
    teardown.add(() => apiProcess.kill());
    const anonymous = contractClient(apiProcess.url, bed.secrets.apiCa);
    const client = anonymous.with({ authorization: `Bearer ${token}` });
    teardown.add(() => {
      anonymous.close();
      client.close();
    });
    await apiProcess.waitUntilReady(anonymous);
    return { ...bed, process: apiProcess, url: apiProcess.url, client, anonymous };
  });
}
