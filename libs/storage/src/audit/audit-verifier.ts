import { eventMac, GENESIS_HASH, isHash, recordDigest, sameMac, trimMarkMac } from './audit-chain';
import {
  compareEntryIds,
  decodeEntry,
  MalformedAuditEntry,
  type AuditEntryFields,
} from './audit-entry';
import { AUDIT_TENANT_PATTERN } from './audit-store';

/** A checkpoint line: a chain's head as the service logged it, outside the store. */
export interface AuditCheckpoint {
  tenant: string;
  chain: string;
  seq: number;
  hash: string;
}

export type AuditChainBreakKind =
  /** The entry is not an event (fields missing or not JSON). */
  | 'malformed'
  /** The event's MAC does not match its content and chain fields: edited. */
  | 'altered'
  /** The event does not name the hash of the one before it: edited or replaced. */
  | 'unlinked'
  /** Events are missing: deleted from the middle or the start of the chain (not by retention). */
  | 'missing'
  /** Events at the end are missing: the chain's head, or a checkpoint, is beyond what is stored. */
  | 'truncated'
  /** The stored event at a checkpoint's seq is not the one the checkpoint names: rewritten. */
  | 'rewritten'
  /** A retention mark whose MAC does not verify. */
  | 'forged_mark';

/** The first broken event of a chain. */
export interface AuditChainBreak {
  tenant: string;
  chain: string;
  seq: number;
  kind: AuditChainBreakKind;
  detail: string;
  /** The stored entry at fault, when there is one. */
  eventId?: string;
}

export type AuditRecordFindingKind =
  /** The record holds a value an older write event names. */
  | 'rolled_back'
  /** The record exists, but its last write event is an erasure. */
  | 'resurrected'
  /** No write event names the record's value (written around the service). */
  | 'unrecorded'
  /** The last write event stored a value, but there is no record (erased around the service). */
  | 'vanished';

export interface AuditRecordFinding {
  tenant: string;
  id: string;
  kind: AuditRecordFindingKind;
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  tenants: number;
  chains: number;
  events: number;
  records: number;
  checkpoints: number;
  /** The first broken event of each broken chain, in trail order. */
  chainBreaks: AuditChainBreak[];
  recordFindings: AuditRecordFinding[];
}

export interface AuditVerifyOptions {
  /** Checkpoint lines to hold the chains against (a truncated or rewritten chain fails them). */
  checkpoints?: readonly AuditCheckpoint[];
}

/**
 * The verification port (`audit:verify`): every chain of every tenant verifies (hash links, MACs,
 * sequence numbers without gaps, retention marks, checkpoints), and every live record is the one
 * its last write event names.
 */
export abstract class AuditVerifier {
  abstract verify(options?: AuditVerifyOptions): Promise<AuditVerification>;
}

/** One stored entry of a trail, as the driver holds it. */
export interface RawAuditEntry {
  id: string;
  fields: AuditEntryFields;
}

/** What the verifier reads from a driver. */
export interface TrailSnapshot {
  /** Every tenant that has a trail, chain state or records. */
  tenants(): Promise<string[]>;
  /** The tenant's entries in trail order, a page at a time, strictly after `after`. */
  entries(tenant: string, after?: string): AsyncIterable<RawAuditEntry[]>;
  /** Chain id → `<seq> <hash>` of each chain's stored head. */
  storedHeads(tenant: string): Promise<Map<string, string>>;
  /** Chain id → `<seq> <hash> <mac>` of each chain's retention mark (its last trimmed event). */
  marks(tenant: string): Promise<Map<string, string>>;
  /** The tenant's records (id and stored value), a page at a time. */
  records(tenant: string): AsyncIterable<Array<{ id: string; value: string }>>;
}

interface ChainState {
  first: number;
  firstPrev: string;
  firstId: string;
  seq: number;
  hash: string;
  broken: boolean;
  /** Hashes at the seqs a checkpoint names. */
  atCheckpoint: Map<number, string>;
}

interface Mark {
  seq: number;
  hash: string;
}

interface WriteHistory {
  lastId: string;
  last: string | null;
  older: Set<string>;
  /** Digests written while the verification ran (after the first pass). */
  recent: Set<string>;
}

/** Checks the trails a snapshot reads, with the audit key. */
export async function verifyTrails(
  snapshot: TrailSnapshot,
  key: Buffer,
  options: AuditVerifyOptions = {},
): Promise<AuditVerification> {
  const checkpoints = options.checkpoints ?? [];
  const result: AuditVerification = {
    ok: true,
    tenants: 0,
    chains: 0,
    events: 0,
    records: 0,
    checkpoints: checkpoints.length,
    chainBreaks: [],
    recordFindings: [],
  };
  const tenants = new Set(await snapshot.tenants());
  for (const checkpoint of checkpoints) tenants.add(checkpoint.tenant);
  for (const tenant of [...tenants].sort()) {
    result.tenants++;
    await new TenantVerification(snapshot, key, tenant, checkpoints, result).run();
  }
  result.ok = result.chainBreaks.length === 0 && result.recordFindings.length === 0;
  return result;
}

class TenantVerification {
  private readonly chains = new Map<string, ChainState>();
  private readonly breaks = new Map<string, AuditChainBreak>();
  private readonly writes = new Map<string, WriteHistory>();
  private readonly checkpoints = new Map<string, Map<number, string>>();
  private marksBefore = new Map<string, Mark>();
  private firstPassDone = false;

  constructor(
    private readonly snapshot: TrailSnapshot,
    private readonly key: Buffer,
    private readonly tenant: string,
    checkpoints: readonly AuditCheckpoint[],
    private readonly result: AuditVerification,
  ) {
    for (const c of checkpoints) {
      if (c.tenant !== tenant) continue;
      const bySeq = this.checkpoints.get(c.chain) ?? new Map<number, string>();
      bySeq.set(c.seq, c.hash);
      this.checkpoints.set(c.chain, bySeq);
    }
  }

  async run(): Promise<void> {
    // Heads and marks before the events: a chain may only have grown since.
    const heads = await this.snapshot.storedHeads(this.tenant);
    this.marksBefore = this.verifiedMarks(await this.snapshot.marks(this.tenant));
    const last = await this.readEntries(undefined);
    this.firstPassDone = true;
    // Records are read after the trail; events appended meanwhile are read again after them,
    // so a record written during the run is not taken for one written without an event.
    const records = new Map<string, string>();
    for await (const page of this.snapshot.records(this.tenant)) {
      for (const { id, value } of page) records.set(id, recordDigest(value));
    }
    await this.readEntries(last);
    const marksAfter = this.verifiedMarks(await this.snapshot.marks(this.tenant), false);
    this.checkStarts(marksAfter);
    this.checkEnds(heads, marksAfter);
    this.checkRecords(records);
    this.result.chains += new Set([
      ...this.chains.keys(),
      ...heads.keys(),
      ...marksAfter.keys(),
    ]).size;
    this.result.records += records.size;
    const ordered = [...this.breaks.values()].sort((a, b) =>
      a.eventId && b.eventId ? compareEntryIds(a.eventId, b.eventId) : a.eventId ? -1 : 1,
    );
    this.result.chainBreaks.push(...ordered);
  }

  /** Reads entries after `after`; the id of the last one read (undefined when none). */
  private async readEntries(after: string | undefined): Promise<string | undefined> {
    let last: string | undefined;
    for await (const page of this.snapshot.entries(this.tenant, after)) {
      for (const raw of page) {
        this.entry(raw);
        last = raw.id;
      }
    }
    return last;
  }

  private entry(raw: { id: string; fields: AuditEntryFields }): void {
    this.result.events++;
    let event;
    try {
      event = decodeEntry(this.tenant, raw.id, raw.fields);
    } catch (error) {
      if (!(error instanceof MalformedAuditEntry)) throw error;
      const chain = error.chain ?? '?';
      const state = this.chains.get(chain);
      if (state) state.broken = true;
      this.report(
        chain,
        error.seq ?? (state ? state.seq + 1 : 0),
        'malformed',
        error.message,
        raw.id,
      );
      return;
    }
    const { chain, seq, prev, hash, mac } = event;
    let state = this.chains.get(chain);
    if (!state) {
      state = {
        first: seq,
        firstPrev: prev,
        firstId: raw.id,
        seq,
        hash,
        broken: false,
        atCheckpoint: new Map(),
      };
      this.chains.set(chain, state);
      if (seq === 1 && prev !== GENESIS_HASH) {
        this.broke(state, chain, seq, 'unlinked', 'the first event does not start a chain', raw.id);
      }
    } else if (!state.broken) {
      if (seq !== state.seq + 1) {
        const detail =
          seq > state.seq + 1
            ? `events ${state.seq + 1} to ${seq - 1} are missing`
            : `seq ${seq} comes again after seq ${state.seq}`;
        this.broke(state, chain, state.seq + 1, 'missing', detail, raw.id);
      } else if (prev !== state.hash) {
        this.broke(
          state,
          chain,
          seq,
          'unlinked',
          'does not name the hash of the event before it',
          raw.id,
        );
      }
    }
    if (!state.broken && !sameMac(mac, eventMac(this.key, hash))) {
      this.broke(state, chain, seq, 'altered', 'its MAC does not match what it holds', raw.id);
    }
    state.seq = seq;
    state.hash = hash;
    if (this.checkpoints.get(chain)?.has(seq)) state.atCheckpoint.set(seq, hash);
    this.write(raw.id, event.event);
  }

  /** Write events: the per-record history the records are checked against. */
  private write(
    id: string,
    event: { patientIds: readonly string[]; recordDigest?: unknown },
  ): void {
    if (!('recordDigest' in event) || event.patientIds.length !== 1) return;
    const digest = typeof event.recordDigest === 'string' ? event.recordDigest : null;
    const patient = event.patientIds[0];
    const history = this.writes.get(patient);
    if (!history) {
      this.writes.set(patient, { lastId: id, last: digest, older: new Set(), recent: new Set() });
      if (this.firstPassDone && digest !== null) this.writes.get(patient)!.recent.add(digest);
      return;
    }
    if (history.last !== null) history.older.add(history.last);
    history.last = digest;
    history.lastId = id;
    if (this.firstPassDone && digest !== null) history.recent.add(digest);
  }

  /** A chain whose first kept event is not seq 1 needs a retention mark or checkpoint before it. */
  private checkStarts(marksAfter: Map<string, Mark>): void {
    for (const [chain, state] of this.chains) {
      if (state.first === 1) continue;
      const anchoredBy = (mark: Mark | undefined) =>
        mark !== undefined &&
        ((mark.seq === state.first - 1 && mark.hash === state.firstPrev) ||
          // Trimmed further while the trail was read.
          mark.seq >= state.first);
      if (anchoredBy(this.marksBefore.get(chain)) || anchoredBy(marksAfter.get(chain))) continue;
      if (this.checkpoints.get(chain)?.get(state.first - 1) === state.firstPrev) continue;
      const mark = this.marksBefore.get(chain);
      const from = mark ? mark.seq + 1 : 1;
      this.report(
        chain,
        from,
        'missing',
        `the chain's first stored event is seq ${state.first}; events ${from} to ${state.first - 1} ` +
          'are gone and no retention mark or checkpoint accounts for them',
        state.firstId,
      );
    }
  }

  /** The heads and checkpoints: nothing may be missing at a chain's end. */
  private checkEnds(heads: Map<string, string>, marks: Map<string, Mark>): void {
    const chains = new Set([...heads.keys(), ...this.checkpoints.keys()]);
    for (const chain of chains) {
      const state = this.chains.get(chain);
      const mark = marks.get(chain);
      const storedTo = state?.seq ?? mark?.seq ?? 0;
      const head = parseHead(heads.get(chain));
      if (head && head.seq > storedTo) {
        this.report(
          chain,
          storedTo + 1,
          'truncated',
          `the chain's head is at seq ${head.seq} but its stored events end at seq ${storedTo}`,
        );
      }
      for (const [seq, hash] of this.checkpoints.get(chain) ?? []) {
        if (mark && seq <= mark.seq) {
          if (seq === mark.seq && hash !== mark.hash) {
            this.report(chain, seq, 'rewritten', 'the retention mark differs from the checkpoint');
          }
          continue;
        }
        if (!state || seq > state.seq) {
          this.report(
            chain,
            Math.max(storedTo + 1, 1),
            'truncated',
            `a checkpoint names seq ${seq}, but the stored chain ends at seq ${storedTo}`,
          );
          continue;
        }
        if (seq < state.first) {
          // Before the first stored event: it anchors the chain's start (checkStarts), or names
          // an event trimmed (or deleted, which checkStarts reports) before it.
          if (seq === state.first - 1 && hash !== state.firstPrev) {
            this.report(
              chain,
              seq,
              'rewritten',
              `the event differs from the checkpoint at seq ${seq}`,
            );
          }
          continue;
        }
        const stored = state.atCheckpoint.get(seq);
        if (stored === undefined) {
          this.report(chain, seq, 'missing', `the checkpointed event seq ${seq} is not stored`);
        } else if (stored !== hash) {
          this.report(
            chain,
            seq,
            'rewritten',
            `the event differs from the checkpoint at seq ${seq}`,
          );
        }
      }
    }
  }

  private checkRecords(records: Map<string, string>): void {
    const finding = (id: string, kind: AuditRecordFinding['kind'], detail: string) =>
      this.result.recordFindings.push({ tenant: this.tenant, id, kind, detail });
    for (const [id, digest] of [...records].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const history = this.writes.get(id);
      if (history?.last === digest || history?.recent.has(digest)) continue;
      if (!history) finding(id, 'unrecorded', 'no write event names this record');
      else if (history.last === null) {
        finding(id, 'resurrected', `its last write event (${history.lastId}) erased it`);
      } else if (history.older.has(digest)) {
        finding(
          id,
          'rolled_back',
          `it holds an older revision; its last write event (${history.lastId}) names another value`,
        );
      } else finding(id, 'unrecorded', 'no write event names the value it holds');
    }
    for (const [id, history] of this.writes) {
      if (history.last !== null && !records.has(id) && history.recent.size === 0) {
        finding(id, 'vanished', `its last write event (${history.lastId}) stored it; it is gone`);
      }
    }
  }

  /** Retention marks whose MAC verifies; a forged one is reported (once) and ignored. */
  private verifiedMarks(raw: Map<string, string>, report = true): Map<string, Mark> {
    const marks = new Map<string, Mark>();
    for (const [chain, value] of raw) {
      const [seqText, hash, mac] = value.split(' ');
      const seq = Number(seqText);
      if (
        Number.isSafeInteger(seq) &&
        seq > 0 &&
        isHash(hash ?? '') &&
        sameMac(mac ?? '', trimMarkMac(this.key, this.tenant, chain, seq, hash))
      ) {
        marks.set(chain, { seq, hash });
      } else if (report) {
        this.report(
          chain,
          Number.isSafeInteger(seq) ? seq : 0,
          'forged_mark',
          'its MAC does not verify',
        );
      }
    }
    return marks;
  }

  private broke(
    state: ChainState,
    chain: string,
    seq: number,
    kind: AuditChainBreakKind,
    detail: string,
    eventId: string,
  ): void {
    state.broken = true;
    this.report(chain, seq, kind, detail, eventId);
  }

  /** Keeps the first broken event of each chain (the lowest seq). */
  private report(
    chain: string,
    seq: number,
    kind: AuditChainBreakKind,
    detail: string,
    eventId?: string,
  ): void {
    const known = this.breaks.get(chain);
    if (known && known.seq <= seq) return;
    this.breaks.set(chain, {
      tenant: this.tenant,
      chain,
      seq,
      kind,
      detail,
      ...(eventId !== undefined ? { eventId } : {}),
    });
  }
}

function parseHead(value: string | undefined): Mark | null {
  if (value === undefined) return null;
  const [seq, hash] = value.split(' ');
  const n = Number(seq);
  return Number.isSafeInteger(n) && n > 0 ? { seq: n, hash: hash ?? '' } : null;
}

/**
 * The checkpoint lines of a log (JSON lines with `checkpoint: true, tenant, chain, seq, hash`);
 * other lines are skipped. A line that says it is a checkpoint but is malformed is an error.
 */
export function parseCheckpointLines(text: string): AuditCheckpoint[] {
  const checkpoints: AuditCheckpoint[] = [];
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      return;
    }
    const c = value as Partial<Record<keyof AuditCheckpoint | 'checkpoint', unknown>>;
    if (c.checkpoint !== true) return;
    if (
      typeof c.tenant !== 'string' ||
      !AUDIT_TENANT_PATTERN.test(c.tenant) ||
      typeof c.chain !== 'string' ||
      c.chain === '' ||
      typeof c.seq !== 'number' ||
      !Number.isSafeInteger(c.seq) ||
      c.seq < 1 ||
      typeof c.hash !== 'string' ||
      !isHash(c.hash)
    ) {
      throw new RangeError(`line ${index + 1}: a checkpoint needs tenant, chain, seq and hash`);
    }
    checkpoints.push({ tenant: c.tenant, chain: c.chain, seq: c.seq, hash: c.hash });
  });
  return checkpoints;
}

/** The verifier of a driver: the checks above, on what the driver's snapshot reads. */
export class TrailVerifier extends AuditVerifier {
  constructor(
    private readonly snapshot: TrailSnapshot,
    private readonly key: Buffer,
  ) {
    super();
  }

  verify(options: AuditVerifyOptions = {}): Promise<AuditVerification> {
    return verifyTrails(this.snapshot, this.key, options);
  }
}
