import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRedisClient, RedisClient, type RedisConnectionOptions } from '@app/storage';
import type { DevSecrets } from './dev-secrets';
import { redisTlsFilesIn, TestRedisServer } from './redis-server';

/** Connection options for a test Redis, with the dev secrets' client certificate. */
export async function redisOptionsFor(
  secrets: DevSecrets,
  server: TestRedisServer,
  overrides: Partial<RedisConnectionOptions> = {},
): Promise<RedisConnectionOptions> {
  const read = (name: string) => readFile(join(secrets.secretsDir, name), 'utf8');
  return {
    mode: 'standalone',
    host: '127.0.0.1',
    port: server.port,
    tls: {
      ca: await read('redis-ca.crt'),
      cert: await read('redis-client.crt'),
      key: await read('redis-client.key'),
      servername: 'redis',
    },
    commandTimeoutMs: 1000,
    connectTimeoutMs: 2000,
    ...overrides,
  };
}

/** Starts a TLS Redis with the dev secrets' Redis certificate. */
export function startRedisFor(secrets: DevSecrets, options: { appendonly?: boolean } = {}) {
  return TestRedisServer.start({ tls: redisTlsFilesIn(secrets.secretsDir), ...options });
}

/** A direct client, to look at what the API stored (as an attacker with Redis access would). */
export async function inspectRedis(
  secrets: DevSecrets,
  server: TestRedisServer,
): Promise<RedisClient> {
  const client = createRedisClient(await redisOptionsFor(secrets, server));
  await client.connect();
  return client;
}

/** Environment for the API to use this Redis. */
export function redisEnv(server: TestRedisServer): Record<string, string> {
  return {
    STORAGE_DRIVER: 'redis',
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(server.port),
    REDIS_COMMAND_TIMEOUT_MS: '1000',
    REDIS_CONNECT_TIMEOUT_MS: '2000',
  };
}
