import { assertAddress, isRecordId } from '../tenant';

/*
 * One string per patient and one sorted set per tenant listing its ids (score 0, ordered by id).
 * The tenant in braces is the Cluster hash tag: a tenant's records and its index share one slot,
 * so a single script can change a record and its index entry together, in every Redis mode.
 */

export function recordKey(tenant: string, id: string): string {
  assertAddress(tenant, id);
  return `patient:{${tenant}}:${id}`;
}

export function indexKey(tenant: string): string {
  assertAddress(tenant);
  return `patients:{${tenant}}:index`;
}

/** SCAN pattern of every tenant's records (tenant names hold no glob characters). */
export const RECORD_KEY_PATTERN = 'patient:{*}:*';

const RECORD_KEY = /^patient:\{([A-Za-z0-9_.-]{1,64})\}:([A-Za-z0-9_.-]{1,64})$/;

/** The tenant and id a record key is for; null for any other key. */
export function parseRecordKey(key: string): { tenant: string; id: string } | null {
  const match = RECORD_KEY.exec(key);
  return match ? { tenant: match[1], id: match[2] } : null;
}

/* The layout before tenants: `patient:<id>` and one index for all (`tenants:migrate` empties it). */

export function legacyRecordKey(id: string): string {
  if (!isRecordId(id)) throw new RangeError('invalid record id');
  return `patient:${id}`;
}

export const LEGACY_INDEX_KEY = 'patients:index';

/** SCAN pattern of the old layout's records: ids never start with a brace. */
export const LEGACY_RECORD_KEY_PATTERN = 'patient:[^{]*';

export function parseLegacyRecordKey(key: string): string | null {
  const id = key.startsWith('patient:') ? key.slice('patient:'.length) : '';
  return isRecordId(id) ? id : null;
}
