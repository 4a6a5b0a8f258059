import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import type { RedisConnectionOptions } from './redis-connection-options';

export type RedisClient = Redis | Cluster;

/** Reconnect with exponential backoff, capped, forever: Redis may be down for a while. */
function backoff(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), 2000);
}

/** After a failover the old master turns replica and answers READONLY: reconnect to the new one. */
function reconnectOnReadonly(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

/**
 * Builds the ioredis client for the configured mode. Commands fail fast while disconnected
 * (no offline queue, no resend after a reconnect) so callers answer 503 instead of hanging, and
 * a command the client gave up on is never replayed later behind their back.
 */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  const tls: ConnectionOptions = {
    ca: options.tls.ca,
    cert: options.tls.cert,
    key: options.tls.key,
    servername: options.tls.servername,
    // Node verifies the certificate against `servername` (not the address dialled), which is
    // what lets cluster nodes and sentinels announce IP addresses.
    minVersion: 'TLSv1.2',
  };
  const common: RedisOptions = {
    tls,
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    retryStrategy: backoff,
    reconnectOnError: reconnectOnReadonly,
  };

  switch (options.mode) {
    case 'standalone':
      return new Redis({ ...common, host: options.host, port: options.port });
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: options.nodes,
        name: options.sentinelMaster,
        enableTLSForSentinelMode: true,
        sentinelTLS: tls,
        sentinelRetryStrategy: backoff,
        sentinelCommandTimeout: options.commandTimeoutMs,
      });
    case 'cluster': {
      const clusterOptions: ClusterOptions = {
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: backoff,
        slotsRefreshTimeout: options.connectTimeoutMs,
        // Nodes announce IP addresses; TLS still verifies against the configured name.
        dnsLookup: (address, callback) => callback(null, address),
        redisOptions: {
          tls,
          autoResendUnfulfilledCommands: false,
          maxRetriesPerRequest: 0,
          commandTimeout: options.commandTimeoutMs,
          connectTimeout: options.connectTimeoutMs,
          reconnectOnError: reconnectOnReadonly,
        },
      };
      return new Cluster(options.nodes ?? [], clusterOptions);
    }
  }
}
