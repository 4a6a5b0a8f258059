import { createHash } from 'node:crypto';
import { RecordKeyRing, SecretError } from './secret-source';

const KEY_BYTES = 32;

/**
 * Reads a 256-bit key given as 32 raw bytes (a CAS `binary` secret), base64 or hex text.
 * `label` names the file or variable in errors, `what` the key.
 */
export function parseRecordKey(raw: Buffer, label: string, what = 'a record key'): Buffer {
  if (raw.length === KEY_BYTES) return Buffer.from(raw);
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw new SecretError(`${label}: ${what} must be 32 bytes (raw, base64 or hex)`);
}

/** A key's id: a short digest of the key, so ids need no configuration and never collide. */
export function recordKeyId(key: Buffer): string {
  return createHash('sha256').update('record-key-id:').update(key).digest('hex').slice(0, 16);
}

/** Builds a key ring from the active key and any older ones. */
export function buildKeyRing(active: Buffer, previous: Buffer[] = []): RecordKeyRing {
  const keys = new Map<string, Buffer>();
  for (const key of previous) keys.set(recordKeyId(key), key);
  const activeKeyId = recordKeyId(active);
  keys.set(activeKeyId, active);
  return { activeKeyId, keys };
}
