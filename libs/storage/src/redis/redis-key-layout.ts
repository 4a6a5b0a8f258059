import { CHAIN_ID_PATTERN } from '../audit/audit-chain';
import { assertTrailTenant } from '../audit/audit-chains';
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

/*
 * The audit trail, per tenant, in the tenant's slot too (so a write's script can append its
 * event): a stream of every event (its entry id is the trail's order and cursor), a sorted set
 * per patient holding the ids of its events (as fixed-width members), the head of each writer's chain,
 * the chains' retention marks, and each patient's last write event (for retention).
 */

export function auditEventsKey(tenant: string): string {
  assertTrailTenant(tenant);
  return `audit:{${tenant}}:events`;
}

export function auditPatientKey(tenant: string, id: string): string {
  assertTrailTenant(tenant);
  if (!isRecordId(id)) throw new RangeError('invalid record id');
  return `audit:{${tenant}}:patient:${id}`;
}

export function auditHeadKey(tenant: string, chain: string): string {
  assertTrailTenant(tenant);
  if (!CHAIN_ID_PATTERN.test(chain)) throw new RangeError('invalid chain id');
  return `audit:{${tenant}}:head:${chain}`;
}

export function auditMarksKey(tenant: string): string {
  assertTrailTenant(tenant);
  return `audit:{${tenant}}:trimmed`;
}

export function auditWritesKey(tenant: string): string {
  assertTrailTenant(tenant);
  return `audit:{${tenant}}:writes`;
}

const AUDIT_KEY =
  /^audit:\{(\*|[A-Za-z0-9_.-]{1,64})\}:(events|trimmed|writes|head:([0-9a-f]{16}))$/;

/** What an audit key other than a patient's is: its tenant, its role, and a head's chain. */
export function parseAuditKey(
  key: string,
): { tenant: string; role: 'events' | 'trimmed' | 'writes' | 'head'; chain?: string } | null {
  const match = AUDIT_KEY.exec(key);
  if (!match) return null;
  if (match[3] !== undefined) return { tenant: match[1], role: 'head', chain: match[3] };
  return { tenant: match[1], role: match[2] as 'events' | 'trimmed' | 'writes' };
}
