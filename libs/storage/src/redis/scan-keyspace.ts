import type { Redis } from 'ioredis';
import type { RedisConnection } from './redis-connection';

/** Keys found on one master by one SCAN step. */
export interface KeyBatch {
  node: Redis;
  keys: string[];
}

/**
 * Every key matching `pattern`, master by master (each Cluster master holds a share of the
 * slots), a batch at a time. SCAN returns every key that exists for the whole scan at least once;
 * a key may come twice, so callers that count keep a set.
 */
export async function* scanKeyspace(
  redis: RedisConnection,
  pattern: string,
  count = 500,
): AsyncGenerator<KeyBatch> {
  for (const node of redis.masters()) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.call(() =>
        node.scan(cursor, 'MATCH', pattern, 'COUNT', count),
      );
      cursor = next;
      if (keys.length > 0) yield { node, keys };
    } while (cursor !== '0');
  }
}

/** How many distinct keys match `pattern` (for progress bars). */
export async function countKeys(redis: RedisConnection, pattern: string): Promise<number> {
  const seen = new Set<string>();
  for await (const { keys } of scanKeyspace(redis, pattern)) for (const key of keys) seen.add(key);
  return seen.size;
}

/** The values of keys held by `node`, in one round trip (null for a key gone meanwhile). */
export async function readValues(
  redis: RedisConnection,
  node: Redis,
  keys: string[],
): Promise<Array<string | null>> {
  return redis.call(async () => {
    const batch = node.pipeline();
    for (const key of keys) batch.get(key);
    const replies = (await batch.exec()) ?? [];
    return replies.map(([error, value]) => {
      if (error) throw error;
      return value as string | null;
    });
  });
}
