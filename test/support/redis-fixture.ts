import { createRedisClient, RedisClient, type RedisConnectionOptions } from '@app/storage';
import type { DevSecrets } from './dev-secrets';
import { redisTlsFilesIn, TestRedisServer } from './redis-server';

/** Connection options for a test Redis, with the client certificate the secret source holds. */
export async function redisOptionsFor(
  secrets: DevSecrets,
  server: { port: number },
  overrides: Partial<RedisConnectionOptions> = {},
): Promise<RedisConnectionOptions> {
  const { ca, cert, key } = await secrets.source.redisTls();
  return {
    mode: 'standalone',
    host: '127.0.0.1',
    port: server.port,
    tls: { ca, cert, key, servername: 'redis' },
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
  server: { port: number },
): Promise<RedisClient> {
  const client = createRedisClient(await redisOptionsFor(secrets, server));
  await client.connect();
  return client;
}

/** Environment for the API to use this Redis. */
export function redisEnv(server: TestRedisServer): Record<string, string> {
  return server.env();
}
