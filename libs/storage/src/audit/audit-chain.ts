import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** `prev` of a chain's first event. */
export const GENESIS_HASH = '0'.repeat(64);

const HEX_256 = /^[0-9a-f]{64}$/;

/** A new chain id: 64 random bits, hex (one per writer process and tenant). */
export function newChainId(): string {
  return randomBytes(8).toString('hex');
}

export const CHAIN_ID_PATTERN = /^[0-9a-f]{16}$/;

/**
 * JSON with object keys sorted (by UTF-16 code units, recursively) and no white space, so that
 * the same event always gives the same bytes. Like JSON.stringify, it leaves out undefined
 * members; anything JSON cannot hold (a function, a bigint, a non-finite number) is refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('audit events hold finite numbers only');
    return JSON.stringify(value);
  }
  // Loops rather than entries/filter/map/join: every audit event goes through here.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out += (i === 0 ? '' : ',') + (item === undefined ? 'null' : canonicalJson(item));
    }
    return `${out}]`;
  }
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    // Sorted by UTF-16 code units, as `<` compares strings.
    const keys = Object.keys(object).sort();
    let out = '{';
    for (const key of keys) {
      const member = object[key];
      if (member === undefined) continue;
      out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(member)}`;
    }
    return `${out}}`;
  }
  throw new TypeError(`audit events hold JSON only, not a ${typeof value}`);
}

/**
 * An event's hash: SHA-256 of the previous hash's 32 bytes followed by the canonical JSON of
 * `{ chain, event, seq, tenant }` (the event nested, so none of its own fields can collide with
 * the chain's). `eventJson` is the event's canonical JSON, as stored.
 */
export function eventHash(
  prev: string,
  tenant: string,
  chain: string,
  seq: number,
  eventJson: string,
): string {
  const body = `{"chain":${JSON.stringify(chain)},"event":${eventJson},"seq":${seq},"tenant":${JSON.stringify(tenant)}}`;
  return createHash('sha256').update(hexBytes(prev)).update(body, 'utf8').digest('hex');
}

/** The event's MAC: HMAC-SHA256 of its hash's 32 bytes, with the audit key. */
export function eventMac(key: Buffer, hash: string): string {
  return createHmac('sha256', key).update(hexBytes(hash)).digest('hex');
}

/**
 * The MAC of a retention mark (the last trimmed event of a chain), so that only a holder of the
 * audit key can say where a chain was trimmed.
 */
export function trimMarkMac(
  key: Buffer,
  tenant: string,
  chain: string,
  seq: number,
  hash: string,
): string {
  return createHmac('sha256', key)
    .update(`audit-trim\0${tenant}\0${chain}\0${seq}\0${hash}`, 'utf8')
    .digest('hex');
}

/** Constant-time comparison of two hex MACs. */
export function sameMac(a: string, b: string): boolean {
  if (!HEX_256.test(a) || !HEX_256.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

export function isHash(value: string): boolean {
  return HEX_256.test(value);
}

/** The digest a write event names: SHA-256 (hex) of the stored envelope string. */
export function recordDigest(storedValue: string): string {
  return createHash('sha256').update(storedValue, 'utf8').digest('hex');
}

function hexBytes(hash: string): Buffer {
  if (!HEX_256.test(hash)) throw new RangeError('not a SHA-256 hex digest');
  return Buffer.from(hash, 'hex');
}
