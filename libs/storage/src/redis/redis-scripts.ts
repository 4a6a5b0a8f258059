import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './create-redis-client';

/*
 * Every write is one Lua script, so that a record and its index entry change together: Redis runs
 * a script as one step (nothing runs in between; the append-only file and the replicas receive its
 * effects as one MULTI/EXEC). Scripts name every key they touch in KEYS; the keys of one script
 * share the tenant's hash tag, so each runs on the one Cluster node holding the tenant's slot.
 */

/*
 * The audit trail's part of a script. Its keys are one block (at KEYS[k]): the tenant's event
 * stream, the chain's head, the retention marks, the last-write hash, then the per-patient streams.
 * A patient's index is a sorted set of the event ids (as fixed-width members, so that their
 * lexical order is the trail's order): small, where a stream per patient would cost 4 KB each.
 * Its arguments are one block (at ARGV[a]): chain id, expected head ('' for a new chain), new head,
 * number of events, then per event: seq, prev, MAC, canonical JSON, the patient a write event
 * names (or ''), the number of patients it is filed under and their positions in the key block.
 * Node computed every hash; the script only checks that the chain's stored head (or, for a chain
 * trimmed whole, its retention mark) is the expected one, so a step is taken once, in order.
 */
const AUDIT_LUA = `
local function audit_member(id)
  local ms, n = string.match(id, '^(%d+)-(%d+)$')
  return string.rep('0', 14 - #ms) .. ms .. '-' .. string.rep('0', 10 - #n) .. n
end
local function audit_head(k, a)
  local head = redis.call('GET', KEYS[k + 1])
  if head then return head end
  local mark = redis.call('HGET', KEYS[k + 2], ARGV[a])
  if mark then return string.match(mark, '^(%S+ %S+)') end
  return ''
end
local function audit_ready(k, a)
  return audit_head(k, a) == ARGV[a + 1]
end
local function audit_append(k, a)
  local ids = {}
  local i = a + 4
  for e = 1, tonumber(ARGV[a + 3]) do
    local id = redis.call('XADD', KEYS[k], '*', 'c', ARGV[a], 's', ARGV[i], 'p', ARGV[i + 1],
      'm', ARGV[i + 2], 'e', ARGV[i + 3])
    if ARGV[i + 4] ~= '' then redis.call('HSET', KEYS[k + 3], ARGV[i + 4], id) end
    local filed = tonumber(ARGV[i + 5])
    local member = audit_member(id)
    for j = 1, filed do
      redis.call('ZADD', KEYS[k + 3 + tonumber(ARGV[i + 5 + j])], 0, member)
    end
    ids[e] = id
    i = i + 6 + filed
  end
  redis.call('SET', KEYS[k + 1], ARGV[a + 2])
  return ids
end
local function audit_reply(code, ids)
  local reply = {code}
  for n, id in ipairs(ids) do reply[n + 1] = id end
  return reply
end
`;

/** Keys of a write event's block: events, head, marks, writes, the one patient's stream. */
const WRITE_AUDIT_KEYS = 5;

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
  /*
   * Audited writes: the change above and its event in one step, the event only if the change is
   * applied. Each answers {'mismatch'} (nothing done) when the chain's stored head is not the one
   * expected, else {code} or {code, event id} with code as the unaudited script's answer.
   */
  /** KEYS: record, index, audit block. ARGV: value, id, audit block. */
  createListedAudited: {
    keys: 2 + WRITE_AUDIT_KEYS,
    lua: `${AUDIT_LUA}
if not audit_ready(3, 3) then return {'mismatch'} end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return {0} end
redis.call('ZADD', KEYS[2], 0, ARGV[2])
return audit_reply(1, audit_append(3, 3))
`,
  },
  /** KEYS: record, index, audit block. ARGV: id, audit block. */
  eraseListedAudited: {
    keys: 2 + WRITE_AUDIT_KEYS,
    lua: `${AUDIT_LUA}
if not audit_ready(3, 2) then return {'mismatch'} end
local removed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if removed == 0 then return {0} end
return audit_reply(1, audit_append(3, 2))
`,
  },
  /** KEYS: record, audit block. ARGV: expected revision, value, audit block. */
  replaceIfRevAudited: {
    keys: 1 + WRITE_AUDIT_KEYS,
    lua: `${AUDIT_LUA}
if not audit_ready(2, 3) then return {'mismatch'} end
local raw = redis.call('GET', KEYS[1])
if not raw then return {-1} end
local ok, envelope = pcall(cjson.decode, raw)
if not ok or type(envelope) ~= 'table' or type(envelope['rev']) ~= 'number' then return {-2} end
if envelope['rev'] ~= tonumber(ARGV[1]) then return {envelope['rev']} end
redis.call('SET', KEYS[1], ARGV[2])
return audit_reply(0, audit_append(2, 3))
`,
  },
  /** KEYS: record, audit block. ARGV: expected value, value, audit block (key rotation). */
  swapIfEqualAudited: {
    keys: 1 + WRITE_AUDIT_KEYS,
    lua: `${AUDIT_LUA}
if not audit_ready(2, 3) then return {'mismatch'} end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
redis.call('SET', KEYS[1], ARGV[2])
return audit_reply(1, audit_append(2, 3))
`,
  },
  /**
   * Retention: a record.retain event, if the record still holds the value and its last write
   * event still is the one being trimmed. KEYS: record, audit block. ARGV: expected value, last
   * write event id, patient id, audit block.
   */
  retainIfEqual: {
    keys: 1 + WRITE_AUDIT_KEYS,
    lua: `${AUDIT_LUA}
if not audit_ready(2, 4) then return {'mismatch'} end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
if redis.call('HGET', KEYS[5], ARGV[3]) ~= ARGV[2] then return {0} end
return audit_reply(1, audit_append(2, 4))
`,
  },
  /** moveLegacy with its event. KEYS: as moveLegacy, audit block. ARGV: as moveLegacy, audit block. */
  moveLegacyAudited: {
    keys: 4 + WRITE_AUDIT_KEYS,
    lua: `${AUDIT_LUA}
if not audit_ready(5, 4) then return {'mismatch'} end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
if not redis.call('SET', KEYS[3], ARGV[2], 'NX') then return {-1} end
redis.call('ZADD', KEYS[4], 0, ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[3])
return audit_reply(1, audit_append(5, 4))
`,
  },
  /** Appends a batch of events (numkeys first). KEYS: audit block. ARGV: audit block. */
  auditAppend: {
    keys: undefined,
    lua: `${AUDIT_LUA}
if not audit_ready(1, 1) then return {'mismatch'} end
return audit_reply(1, audit_append(1, 1))
`,
  },
  /** KEYS: head, marks. ARGV: chain. The chain's stored head ('' when none). */
  auditHead: {
    keys: 2,
    lua: `
local head = redis.call('GET', KEYS[1])
if head then return head end
local mark = redis.call('HGET', KEYS[2], ARGV[1])
if mark then return string.match(mark, '^(%S+ %S+)') end
return ''
`,
  },
  /**
   * A page of a patient's events in one step: the index members, then each event (false for one
   * trimmed meanwhile). KEYS: patient index, events. ARGV: start (ZRANGEBYLEX), count.
   */
  auditReadPatient: {
    keys: 2,
    lua: `
local members = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, ARGV[2])
local page = {}
for i, member in ipairs(members) do
  local ms, n = string.match(member, '^0*(%d+)-0*(%d+)$')
  local id = ms .. '-' .. n
  local entry = redis.call('XRANGE', KEYS[2], id, id)
  page[i] = {id, entry[1] and entry[1][2] or false}
end
return page
`,
  },
  /**
   * Retention (numkeys first). KEYS: events, marks, writes, the heads of the chains, the patient
   * indexes. ARGV: min id kept, the same as an index member, number of chains, of patients, of
   * erased writes, then per chain:
   * chain, seq, hash, MAC of its mark; per erased write: patient, event id. Removes the entries
   * below the min id, sets each mark if it moves forward (a chain trimmed whole loses its head,
   * which the mark then stands for), trims the patient indexes, and forgets last writes
   * that were erasures and are trimmed.
   */
  auditTrim: {
    keys: undefined,
    lua: `
local minid, minmember = ARGV[1], ARGV[2]
local chains, patients, erased = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('XTRIM', KEYS[1], 'MINID', minid)
local a = 6
for i = 1, chains do
  local chain, seq, hash, mac = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local mark = redis.call('HGET', KEYS[2], chain)
  local known = mark and tonumber(string.match(mark, '^(%d+)')) or 0
  if tonumber(seq) > known then
    redis.call('HSET', KEYS[2], chain, seq .. ' ' .. hash .. ' ' .. mac)
    if redis.call('GET', KEYS[3 + i]) == seq .. ' ' .. hash then redis.call('DEL', KEYS[3 + i]) end
  end
  a = a + 4
end
-- An index left empty disappears with its last member.
for j = 1, patients do
  redis.call('ZREMRANGEBYLEX', KEYS[3 + chains + j], '-', '(' .. minmember)
end
for j = 1, erased do
  if redis.call('HGET', KEYS[3], ARGV[a]) == ARGV[a + 1] then redis.call('HDEL', KEYS[3], ARGV[a]) end
  a = a + 2
end
return 1
`,
  },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/**
 * Registers the scripts as commands of the client (EVALSHA, falling back to EVAL). A script
 * without a fixed number of keys takes it as its first argument.
 */
export function defineScripts(client: RedisClient): void {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    const keys: number | undefined = script.keys;
    client.defineCommand(
      name,
      keys === undefined ? { lua: script.lua } : { numberOfKeys: keys, lua: script.lua },
    );
  }
}

/** Queues a defined script on a pipeline (ioredis adds defined commands to pipelines too). */
export function queueScript(batch: ChainableCommander, name: ScriptName, args: string[]): void {
  const scripts = batch as unknown as Record<ScriptName, (...args: string[]) => unknown>;
  scripts[name](...args);
}
