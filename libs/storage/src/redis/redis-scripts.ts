import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './create-redis-client';

/*
 * Every write is one Lua script, so that a record and its index entry change together: Redis runs
 * a script as one step (nothing runs in between; the append-only file and the replicas receive its
 * effects as one MULTI/EXEC). Scripts name every key they touch in KEYS; the keys of one script
 * share the tenant's hash tag, so each runs on the one Cluster node holding the tenant's slot.
 */

const SCRIPTS = {
  /** KEYS: record, index. ARGV: value, id. 1 when created, 0 when the id is taken. */
  createListed: {
    keys: 2,
    lua: `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], 0, ARGV[2])
return 1
`,
  },
  /** KEYS: record, index. ARGV: id. Records removed (0 or 1); the index entry goes either way. */
  eraseListed: {
    keys: 2,
    lua: `
local removed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return removed
`,
  },
  /**
   * KEYS: record. ARGV: expected revision, value. 0 when replaced, -1 when the key does not
   * exist, -2 when the stored value is not an envelope, else the stored revision.
   */
  replaceIfRev: {
    keys: 1,
    lua: `
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local ok, envelope = pcall(cjson.decode, raw)
if not ok or type(envelope) ~= 'table' or type(envelope['rev']) ~= 'number' then return -2 end
if envelope['rev'] ~= tonumber(ARGV[1]) then return envelope['rev'] end
redis.call('SET', KEYS[1], ARGV[2])
return 0
`,
  },
  /** KEYS: record. ARGV: expected value, value. 1 when swapped (key rotation), else 0. */
  swapIfEqual: {
    keys: 1,
    lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`,
  },
  /** KEYS: record. ARGV: expected value. 1 when deleted, 0 when the value is another. */
  deleteIfEqual: {
    keys: 1,
    lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`,
  },
  /**
   * The tenant migration in one step, where every key is on one node (standalone, Sentinel).
   * KEYS: old record, old index, record, index. ARGV: expected old value, value, id.
   * 1 when moved, 0 when the old value is another (or gone), -1 when the record exists.
   */
  moveLegacy: {
    keys: 4,
    lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if not redis.call('SET', KEYS[3], ARGV[2], 'NX') then return -1 end
redis.call('ZADD', KEYS[4], 0, ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[3])
return 1
`,
  },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** Registers the scripts as commands of the client (EVALSHA, falling back to EVAL). */
export function defineScripts(client: RedisClient): void {
  for (const [name, { keys, lua }] of Object.entries(SCRIPTS)) {
    client.defineCommand(name, { numberOfKeys: keys, lua });
  }
}

/** Queues a defined script on a pipeline (ioredis adds defined commands to pipelines too). */
export function queueScript(batch: ChainableCommander, name: ScriptName, args: string[]): void {
  const scripts = batch as unknown as Record<ScriptName, (...args: string[]) => unknown>;
  scripts[name](...args);
}
