import type { Logger } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './create-redis-client';

/**
 * Hooks for what the Redis connection goes through, for metrics. They carry no arguments: an
 * error message may name hosts, and nothing about a record may leave through them.
 */
export interface RedisObserver {
  /** The client reported a connection error: refused, reset, TLS failure (cluster nodes too). */
  connectionError?(): void;
  /** A connection that was up went away (or a cluster node was dropped). */
  connectionLost?(): void;
  /** The client connected again after losing its connection (or a cluster node was replaced). */
  reconnected?(): void;
  /** A command failed (timeout, connection lost, refused): the caller answers 503. */
  commandFailed?(): void;
}

/**
 * Logs each outage once (ioredis would print every failed reconnect) and feeds the observer.
 * `closing` tells a loss we caused (shutdown) from one to report.
 */
export function watchConnection(
  client: RedisClient,
  observer: RedisObserver,
  logger: Logger,
  closing: () => boolean,
): void {
  /** The cause last logged for the outage in progress (null: none). */
  let reported: string | null = null;
  let everReady = false;
  let up = false;
  const failed = (error: Error) => {
    observer.connectionError?.();
    // Once per cause, not per retry: a restart refuses connections for a while, and what comes
    // back after it (a certificate from another CA, say) is the cause that matters.
    const cause = causeOf(error);
    if (cause !== reported) logger.warn(`redis connection error: ${cause}`);
    reported = cause;
  };
  client.on('error', failed);
  client.on('ready', () => {
    if (everReady) observer.reconnected?.();
    if (reported !== null) logger.log('redis connection restored');
    reported = null;
    everReady = true;
    up = true;
  });
  client.on('close', () => {
    if (up && !closing()) observer.connectionLost?.();
    up = false;
  });
  if (client instanceof Cluster) {
    // Cluster node connections do not reconnect: a lost node is dropped, and a new connection
    // is opened to whichever node serves its slots now.
    client.on('node error', failed);
    client.on('-node', () => {
      if (everReady && !closing()) observer.connectionLost?.();
    });
    client.on('+node', (node: Redis) => {
      if (everReady) node.once('ready', () => observer.reconnected?.());
    });
    return;
  }
  // The client retries forever by itself; should it still give up ('end') while we are not
  // closing it, start it again rather than answer 503 until the process restarts.
  client.on('end', () => {
    if (closing()) return;
    logger.warn('redis client stopped reconnecting; starting it again');
    setTimeout(() => {
      if (!closing()) client.connect().catch(() => undefined);
    }, 1000).unref();
  });
}

/** What went wrong, in words that stay the same from one retry to the next. */
function causeOf(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (
    /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code) ||
    /certificate/i.test(error.message)
  ) {
    return `TLS certificate rejected (${error.message})`;
  }
  return error.message;
}
