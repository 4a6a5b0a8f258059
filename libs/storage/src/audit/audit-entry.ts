import { eventHash, isHash } from './audit-chain';
import type { PreparedBatch } from './audit-chains';
import type { AuditRecordContent, StoredAuditEvent } from './audit-store';

/**
 * How an event is kept (a stream entry's fields, the same in both drivers): chain `c`, seq `s`,
 * prev `p`, MAC `m` and the event's canonical JSON `e`. The hash is not kept: it is computed from
 * what is, so it always says what the entry holds now.
 */
export type AuditEntryFields = Readonly<Record<string, string>>;

/** The fields of each event of a batch, in order. */
export function entryFieldsOf(batch: PreparedBatch): Array<Record<string, string>> {
  return batch.events.map((e) => ({
    c: batch.chain,
    s: String(e.seq),
    p: e.prev,
    m: e.mac,
    e: e.json,
  }));
}

/** A stored entry that is not an event (edited, or written by something else). */
export class MalformedAuditEntry extends Error {
  override readonly name = 'MalformedAuditEntry';
  constructor(
    readonly id: string,
    readonly chain: string | undefined,
    readonly seq: number | undefined,
    reason: string,
  ) {
    super(reason);
  }
}

/** Reads a stored entry back; MalformedAuditEntry when it is not a well-formed event. */
export function decodeEntry(
  tenant: string,
  id: string,
  fields: AuditEntryFields,
): StoredAuditEvent {
  const { c: chain, s, p: prev, m: mac, e: json } = fields;
  const seq = s !== undefined && /^[1-9]\d{0,15}$/.test(s) ? Number(s) : undefined;
  const fail = (reason: string) => new MalformedAuditEntry(id, chain, seq, reason);
  if (chain === undefined || chain === '') throw fail('no chain');
  if (seq === undefined) throw fail('no sequence number');
  if (prev === undefined || !isHash(prev)) throw fail('no previous hash');
  if (mac === undefined || !isHash(mac)) throw fail('no MAC');
  if (json === undefined) throw fail('no event');
  let event: unknown;
  try {
    event = JSON.parse(json);
  } catch {
    throw fail('the event is not JSON');
  }
  const ids = (event as { patientIds?: unknown } | null)?.patientIds;
  if (typeof event !== 'object' || event === null || Array.isArray(event) || !Array.isArray(ids)) {
    throw fail('the event is not an audit event');
  }
  return {
    id,
    tenant,
    chain,
    seq,
    prev,
    hash: eventHash(prev, tenant, chain, seq, json),
    mac,
    event: event as AuditRecordContent,
  };
}

/** Redis answers a stream entry's fields as one flat list: name, value, name, value, … */
export function fieldsFromList(list: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) fields[list[i]] = list[i + 1];
  return fields;
}

/** Compares stream entry ids (`<ms>-<n>`) numerically. */
export function compareEntryIds(a: string, b: string): number {
  const [am, an] = a.split('-').map(BigInt);
  const [bm, bn] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  return an === bn ? 0 : an < bn ? -1 : 1;
}
