import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import type { RedisConnectionOptions } from './redis-connection-options';

export type RedisClient = Redis | Cluster;

/** Reconnect with exponential backoff, capped, forever: Redis may be down for a while. */
function backoff(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), 2000);
}

/**
 * After a Sentinel failover the old master turns replica and answers READONLY: drop the
 * connection so the next one asks the sentinels for the new master. The refused command was not
 * executed; it fails (503) rather than being sent again behind the caller's back.
 */
function reconnectOnReadonly(error: Error): 1 | false {
  return error.message.startsWith('READONLY') ? 1 : false;
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
    // Node verifies the certificate against `servername` (not the address dialled), which is
    // what lets cluster nodes and sentinels announce IP addresses the certificate does not name.
    servername: options.tls.servername,
    minVersion: 'TLSv1.2',
  };
  const natMap = options.natMap ? { ...options.natMap } : undefined;
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
    // The commands of concurrent requests issued in the same tick go out as one write (one TLS
    // record) instead of one each: what a busy API spends most of its Redis time on.
    enableAutoPipelining: true,
  };

  switch (options.mode) {
    case 'standalone':
      return new Redis({ ...common, host: options.host, port: options.port });
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: options.nodes,
        name: options.sentinelMaster,
        // TLS to the master and replicas (`tls`) and to the sentinels (`sentinelTLS`).
        enableTLSForSentinelMode: true,
        sentinelTLS: tls,
        sentinelRetryStrategy: backoff,
        sentinelCommandTimeout: options.commandTimeoutMs,
        // No failover detector: a +switch-master that arrives while a reconnect is under way
        // ends the client for good (ioredis 6). It is not needed: the sentinels drop every
        // client of a demoted master, a dead one breaks its connections, and a write that
        // reaches a replica gets READONLY; each makes us ask the sentinels again.
        failoverDetector: false,
        natMap,
      });
    case 'cluster': {
      const clusterOptions: ClusterOptions = {
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: backoff,
        enableAutoPipelining: true,
        slotsRefreshTimeout: options.connectTimeoutMs,
        // MOVED, ASK, TRYAGAIN and CLUSTERDOWN mean the node did not run the command, so
        // following them is safe. A connection that closes with the command in flight may have
        // run it: fail that one (503) instead of sending it again elsewhere (the default).
        retryDelayOnFailover: 0,
        // Keep seed host names as given (TLS verifies `servername` anyway); NAT'd or
        // unresolvable announced addresses go through natMap.
        dnsLookup: (address, callback) => callback(null, address),
        natMap,
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
