import { eventMac, recordDigest, sameMac, trimMarkMac } from './audit-chain';
import type { AuditChains, CommitOutcome, PreparedBatch } from './audit-chains';
import { decodeEntry, MalformedAuditEntry } from './audit-entry';
import type { AuditRecordInput, AuditTrimResult } from './audit-store';
import type { RawAuditEntry } from './audit-verifier';

/** Events trimmed per step. */
const TRIM_BATCH = 500;

/** The last trimmed event of a chain, MACed: where its stored part now starts. */
export interface TrimMark {
  chain: string;
  seq: number;
  hash: string;
  mac: string;
}

/** What trimming needs from a driver. */
export interface TrimBackend {
  trailTenants(): Promise<string[]>;
  /** The tenant's oldest entries with an id below `beforeId`, at most `limit`. */
  oldest(tenant: string, beforeId: string, limit: number): Promise<RawAuditEntry[]>;
  /** Patient id → id of its last write event, for these patients (absent: none known). */
  lastWrites(tenant: string, patientIds: string[]): Promise<Map<string, string>>;
  /** A record's stored value, or null. */
  record(tenant: string, id: string): Promise<string | null>;
  /**
   * Stores a `record.retain` event (the batch) if the record still holds `value` and its last
   * write event still is `lastWriteId`; `refused` otherwise.
   */
  retain(
    tenant: string,
    id: string,
    value: string,
    lastWriteId: string,
    batch: PreparedBatch,
  ): Promise<CommitOutcome<void>>;
  /**
   * Removes the tenant's entries up to and including `lastId` (and their per-patient entries),
   * sets the chains' retention marks (only forwards), and forgets the last-write entry of
   * patients whose last write event, an erasure, is among them.
   */
  cut(
    tenant: string,
    lastId: string,
    marks: TrimMark[],
    patients: string[],
    erased: Array<[patient: string, entryId: string]>,
  ): Promise<void>;
}

/** A maintenance event, written by the service itself. */
export function systemEvent(
  tenant: string,
  id: string,
  action: 'record.rekey' | 'record.migrate' | 'record.retain',
): AuditRecordInput {
  const event = {
    time: new Date().toISOString(),
    tenant,
    actor: 'system',
    action,
    patientIds: [id],
    outcome: 'success',
  };
  return event;
}

/**
 * Retention: removes every tenant's events stored before `olderThan`, oldest first, a batch at a
 * time. Before a batch goes, a live record whose last write event is in it gets a `record.retain`
 * event naming its current value (only if that value is the one the write event names: a record
 * that no longer matches its trail is left for the verifier to report, not made to look right).
 * Each chain's last trimmed event is kept as a MACed mark, from which its stored part verifies.
 */
export async function trimTrails(
  backend: TrimBackend,
  chains: AuditChains,
  key: Buffer,
  olderThan: Date,
): Promise<AuditTrimResult> {
  const before = `${Math.max(0, Math.floor(olderThan.getTime()))}-0`;
  const result: AuditTrimResult = { trimmed: 0, retained: 0, altered: 0 };
  for (const tenant of await backend.trailTenants()) {
    for (;;) {
      const batch = await backend.oldest(tenant, before, TRIM_BATCH);
      if (batch.length === 0) break;
      const marks = new Map<string, TrimMark>();
      const patients = new Set<string>();
      const writes: Array<{ id: string; patient: string; digest: string | null }> = [];
      for (const raw of batch) {
        let event;
        try {
          event = decodeEntry(tenant, raw.id, raw.fields);
        } catch (error) {
          if (!(error instanceof MalformedAuditEntry)) throw error;
          result.altered++;
          continue;
        }
        const { chain, seq, hash } = event;
        if (!sameMac(event.mac, eventMac(key, hash))) result.altered++;
        marks.set(chain, { chain, seq, hash, mac: trimMarkMac(key, tenant, chain, seq, hash) });
        for (const id of event.event.patientIds) patients.add(id);
        if ('recordDigest' in event.event && event.event.patientIds.length === 1) {
          const digest = event.event.recordDigest;
          writes.push({
            id: raw.id,
            patient: event.event.patientIds[0],
            digest: typeof digest === 'string' ? digest : null,
          });
        }
      }
      const last = await backend.lastWrites(
        tenant,
        writes.map((w) => w.patient),
      );
      const erased: Array<[string, string]> = [];
      for (const write of writes) {
        if (last.get(write.patient) !== write.id) continue;
        if (write.digest === null) {
          erased.push([write.patient, write.id]);
          continue;
        }
        const value = await backend.record(tenant, write.patient);
        if (value === null || recordDigest(value) !== write.digest) continue;
        const { stored } = await chains.write(
          tenant,
          write.patient,
          systemEvent(tenant, write.patient, 'record.retain'),
          write.digest,
          (prepared) => backend.retain(tenant, write.patient, value, write.id, prepared),
        );
        if (stored) result.retained++;
      }
      await backend.cut(
        tenant,
        batch[batch.length - 1].id,
        [...marks.values()],
        [...patients],
        erased,
      );
      result.trimmed += batch.length;
      if (batch.length < TRIM_BATCH) break;
    }
  }
  return result;
}
