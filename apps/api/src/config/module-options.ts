import type { SecretSource, SecretsModuleOptions } from '@app/secrets';
import type { RedisConnectionOptions, RedisObserver, StorageModuleOptions } from '@app/storage';
import type { AppConfig } from './app-config';

/** The environment, handed to the secrets module only (with SECRETS_SOURCE=env it holds keys). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Where secrets come from; the environment is passed for the `env` source alone. */
export function secretsModuleOptions(
  config: AppConfig,
  environment: Environment,
): SecretsModuleOptions & { isGlobal: true } {
  return {
    isGlobal: true,
    source: config.secrets.source,
    secretsDir: config.secrets.dir,
    devStateDir: config.secrets.devStateDir,
    ...(config.secrets.source === 'env' ? { env: environment } : {}),
  };
}

/** Storage from the configuration and the secret source: the service's and the commands'. */
export async function storageModuleOptions(
  config: AppConfig,
  secrets: SecretSource,
  redisObserver?: RedisObserver,
): Promise<StorageModuleOptions> {
  const { storage } = config;
  const keyRing = await secrets.recordKeys();
  const auditKey = await secrets.auditKey();
  if (storage.driver === 'memory') return { driver: 'memory', keyRing, auditKey };
  return {
    driver: 'redis',
    keyRing,
    auditKey,
    connectWaitMs: storage.connectTimeoutMs,
    ...(redisObserver ? { redisObserver } : {}),
    erasureCompactionSeconds: storage.erasureCompactionSeconds,
    redis: await redisConnectionOptions(config, secrets),
  };
}

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
