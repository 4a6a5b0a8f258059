import type { RedisConnectionOptions } from '@app/storage';
import type { SecretSource } from '@app/secrets';
import type { AppConfig } from './app-config';

/** How to reach Redis, from the configuration and the secret source's TLS material. */
export async function redisConnectionOptions(
  config: AppConfig,
  secrets: SecretSource,
): Promise<RedisConnectionOptions> {
  const { storage } = config;
  const tls = await secrets.redisTls();
  return {
    mode: storage.mode,
    host: storage.host,
    port: storage.port,
    nodes: storage.nodes,
    sentinelMaster: storage.sentinelMaster,
    natMap: storage.natMap,
    waitReplicas: storage.waitReplicas,
    tls: { ...tls, servername: storage.tlsServername },
    commandTimeoutMs: storage.commandTimeoutMs,
    connectTimeoutMs: storage.connectTimeoutMs,
  };
}
