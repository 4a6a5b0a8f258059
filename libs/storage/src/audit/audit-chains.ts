import type { Logger } from '@nestjs/common';
import { StorageUnavailableError } from '../storage-errors';
import { isRecordId } from '../tenant';
import { canonicalJson, eventHash, eventMac, GENESIS_HASH, newChainId } from './audit-chain';
import {
  AUDIT_CURSOR_PATTERN,
  AUDIT_TENANT_PATTERN,
  type AuditChainHead,
  type AuditRecordContent,
  type AuditRecordInput,
  type StoredAuditEvent,
} from './audit-store';

/** One event ready to store: its chain fields computed, its content as canonical JSON. */
export interface PreparedEvent {
  seq: number;
  prev: string;
  hash: string;
  mac: string;
  /** The event's canonical JSON: what is stored and hashed. */
  json: string;
  event: AuditRecordContent;
  /** The patients it is filed under (valid record ids, each once). */
  filed: string[];
  /** For a write event: the patient whose record it names. */
  writeOf: string | null;
}

/** Events of one chain, stored in one step if the chain's stored head still is `expectedHead`. */
export interface PreparedBatch {
  tenant: string;
  chain: string;
  /** `<seq> <hash>` of the chain's newest stored event; '' for a chain not stored yet. */
  expectedHead: string;
  /** The head once the batch is stored. */
  newHead: string;
  events: PreparedEvent[];
}

/** How a step that stores a batch ended: stored (with the events' ids), refused, or not ours. */
export type CommitOutcome<R> =
  | { kind: 'stored'; ids: string[]; result: R }
  | { kind: 'refused'; result: R }
  | { kind: 'mismatch' };

/** What a driver does for the chains: store a batch of events, read a chain's stored head. */
export interface AuditBackend {
  commitAppend(batch: PreparedBatch): Promise<CommitOutcome<void>>;
  /** `<seq> <hash>` of the chain's stored head (or its retention mark); '' when none. */
  readHead(tenant: string, chain: string): Promise<string>;
}

/** Most events in one round trip; more wait for the next. */
const MAX_BATCH_EVENTS = 256;
/** Most per-patient entries in one round trip (a listing files its event under each patient). */
const MAX_BATCH_FILINGS = 4096;

interface Normalized {
  json: string;
  event: AuditRecordContent;
  filed: string[];
  writeOf: string | null;
}

interface AppendUnit {
  events: Normalized[];
  resolve(stored: StoredAuditEvent[]): void;
  reject(error: unknown): void;
}

interface AppendJob {
  kind: 'append';
  units: AppendUnit[];
  events: number;
  filings: number;
}

interface WriteJob {
  kind: 'write';
  event: Normalized;
  run(batch: PreparedBatch): Promise<CommitOutcome<unknown>>;
  resolve(value: { result: unknown; stored: StoredAuditEvent | null }): void;
  reject(error: unknown): void;
}

type Job = AppendJob | WriteJob;

/** One tenant's chain of this writer, and the work waiting for its turn. */
interface TenantChain {
  tenant: string;
  chain: string;
  seq: number;
  hash: string;
  /** A step failed without telling whether it was stored: the heads before and after it. */
  uncertain: { before: string; after: string } | null;
  queue: Job[];
  running: boolean;
}

/**
 * The hash chains this process writes, one per tenant. A chain takes one step at a time: a write
 * (the change and its event, in one script) or a batch of appended events; events appended while
 * a step is in flight are stored together by the next one (group commit). Numbers and hashes are
 * computed here and the store only checks that the chain's stored head is the one expected, so a
 * second writer of the same chain (or a store that lost events) is noticed: the chain is then
 * left as it is and a new one started.
 */
export class AuditChains {
  private readonly chains = new Map<string, TenantChain>();
  /** The chain id of this process; a chain restarted after a mismatch gets a new one. */
  private readonly processChain = newChainId();

  constructor(
    private readonly key: Buffer,
    private readonly backend: AuditBackend,
    private readonly logger: Logger,
  ) {
    if (key.length < 32) throw new RangeError('the audit key must be at least 32 bytes');
  }

  /** Stores events in the tenant's chain; resolves once they are stored. */
  async append(tenant: string, inputs: readonly AuditRecordInput[]): Promise<StoredAuditEvent[]> {
    assertTrailTenant(tenant);
    const events = inputs.map((input) => {
      if (input.recordDigest !== undefined) {
        throw new RangeError('write events are stored by the repository, with their change');
      }
      return normalize(input, null);
    });
    if (events.length === 0) return [];
    return new Promise<StoredAuditEvent[]>((resolve, reject) => {
      const chain = this.chainOf(tenant);
      const unit: AppendUnit = { events, resolve, reject };
      const filings = events.reduce((n, e) => n + e.filed.length, 0);
      const last = chain.queue[chain.queue.length - 1];
      if (
        last?.kind === 'append' &&
        last.events + events.length <= MAX_BATCH_EVENTS &&
        last.filings + filings <= MAX_BATCH_FILINGS
      ) {
        last.units.push(unit);
        last.events += events.length;
        last.filings += filings;
      } else {
        chain.queue.push({ kind: 'append', units: [unit], events: events.length, filings });
      }
      void this.drain(chain);
    });
  }

  /**
   * Runs a change and stores its event in the same step, in the chain's turn. `run` gets the
   * prepared event (as a batch of one) and stores both, or neither (`refused`).
   */
  async write<R>(
    tenant: string,
    patientId: string,
    input: AuditRecordInput,
    digest: string | null,
    run: (batch: PreparedBatch) => Promise<CommitOutcome<R>>,
  ): Promise<{ result: R; stored: StoredAuditEvent | null }> {
    assertTrailTenant(tenant);
    const event = normalize({ ...input, recordDigest: digest }, patientId);
    return new Promise((resolve, reject) => {
      const chain = this.chainOf(tenant);
      chain.queue.push({
        kind: 'write',
        event,
        run,
        resolve: resolve as WriteJob['resolve'],
        reject,
      });
      void this.drain(chain);
    });
  }

  heads(tenant?: string): AuditChainHead[] {
    const heads: AuditChainHead[] = [];
    for (const chain of this.chains.values()) {
      if (chain.seq === 0 || (tenant !== undefined && chain.tenant !== tenant)) continue;
      heads.push({ tenant: chain.tenant, chain: chain.chain, seq: chain.seq, hash: chain.hash });
    }
    return heads;
  }

  private chainOf(tenant: string): TenantChain {
    let chain = this.chains.get(tenant);
    if (!chain) {
      chain = {
        tenant,
        chain: this.processChain,
        seq: 0,
        hash: GENESIS_HASH,
        uncertain: null,
        queue: [],
        running: false,
      };
      this.chains.set(tenant, chain);
    }
    return chain;
  }

  private async drain(chain: TenantChain): Promise<void> {
    if (chain.running) return;
    chain.running = true;
    try {
      for (let job = chain.queue.shift(); job; job = chain.queue.shift())
        await this.run(chain, job);
    } finally {
      chain.running = false;
    }
  }

  /** Runs one job; it never throws (its callers are told). */
  private async run(chain: TenantChain, job: Job): Promise<void> {
    const events = job.kind === 'write' ? [job.event] : job.units.flatMap((unit) => unit.events);
    try {
      if (chain.uncertain) await this.resync(chain);
      let outcome = await this.step(chain, events, job);
      if (outcome.kind === 'mismatch') {
        this.restart(chain, 'its stored head is not the one this process wrote last');
        outcome = await this.step(chain, events, job);
        if (outcome.kind === 'mismatch') {
          throw new StorageUnavailableError('audit chain head changed by another writer');
        }
      }
      if (job.kind === 'write') {
        job.resolve({
          result: outcome.result,
          stored: outcome.kind === 'stored' ? outcome.stored[0] : null,
        });
        return;
      }
      if (outcome.kind !== 'stored') throw new Error('an append was refused');
      let offset = 0;
      for (const unit of job.units) {
        unit.resolve(outcome.stored.slice(offset, offset + unit.events.length));
        offset += unit.events.length;
      }
    } catch (error) {
      rejectJob(job, error);
      // Storage is failing: the jobs queued behind this one would wait their turn (a command
      // timeout each) only to fail the same way. They fail now, so callers answer 503 at once.
      if (error instanceof StorageUnavailableError) {
        for (const queued of chain.queue.splice(0)) rejectJob(queued, error);
      }
    }
  }

  /** Prepares the events on the chain's head and stores them; advances the head if stored. */
  private async step(
    chain: TenantChain,
    events: Normalized[],
    job: Job,
  ): Promise<
    | { kind: 'stored'; stored: StoredAuditEvent[]; result: unknown }
    | { kind: 'refused'; result: unknown }
    | { kind: 'mismatch' }
  > {
    const batch = this.prepare(chain, events);
    let outcome: CommitOutcome<unknown>;
    try {
      outcome =
        job.kind === 'write' ? await job.run(batch) : await this.backend.commitAppend(batch);
    } catch (error) {
      // Perhaps stored, perhaps not (a timeout, a lost connection): ask the store before the next step.
      chain.uncertain = { before: batch.expectedHead, after: batch.newHead };
      throw error;
    }
    if (outcome.kind !== 'stored') return outcome;
    if (outcome.ids.length !== batch.events.length) throw new Error('stored ids do not match');
    const last = batch.events[batch.events.length - 1];
    chain.seq = last.seq;
    chain.hash = last.hash;
    const stored = batch.events.map((e, i): StoredAuditEvent => ({
      id: outcome.ids[i],
      tenant: chain.tenant,
      chain: batch.chain,
      seq: e.seq,
      prev: e.prev,
      hash: e.hash,
      mac: e.mac,
      event: e.event,
    }));
    return { kind: 'stored', stored, result: outcome.result };
  }

  private prepare(chain: TenantChain, events: Normalized[]): PreparedBatch {
    const expectedHead = chain.seq === 0 ? '' : `${chain.seq} ${chain.hash}`;
    let { seq, hash: prev } = chain;
    const prepared = events.map((e): PreparedEvent => {
      seq += 1;
      const hash = eventHash(prev, chain.tenant, chain.chain, seq, e.json);
      const event = { ...e, seq, prev, hash, mac: eventMac(this.key, hash) };
      prev = hash;
      return event;
    });
    return {
      tenant: chain.tenant,
      chain: chain.chain,
      expectedHead,
      newHead: `${seq} ${prev}`,
      events: prepared,
    };
  }

  /** After a step of unknown outcome: whether it was stored, from the chain's stored head. */
  private async resync(chain: TenantChain): Promise<void> {
    const { before, after } = chain.uncertain!;
    const head = await this.backend.readHead(chain.tenant, chain.chain);
    chain.uncertain = null;
    if (head === before) return;
    if (head === after) {
      const [seq, hash] = after.split(' ');
      chain.seq = Number(seq);
      chain.hash = hash;
      return;
    }
    this.restart(chain, 'its stored head is neither the one before nor after an interrupted step');
  }

  private restart(chain: TenantChain, why: string): void {
    const next = newChainId();
    this.logger.error(
      `audit chain ${chain.chain} of tenant ${chain.tenant} ends at seq ${chain.seq}: ${why} ` +
        `(another writer with the same chain id, or events lost in a failover); continuing in chain ${next}`,
    );
    chain.chain = next;
    chain.seq = 0;
    chain.hash = GENESIS_HASH;
  }
}

export function assertTrailTenant(tenant: string): void {
  if (!AUDIT_TENANT_PATTERN.test(tenant)) throw new RangeError('invalid tenant name');
}

/** Refuses a malformed page request (the API validates first: a programming error). */
export function assertPage(tenant: string, limit: number, after?: string): void {
  assertTrailTenant(tenant);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('invalid page size');
  if (after !== undefined && !AUDIT_CURSOR_PATTERN.test(after)) {
    throw new RangeError('invalid cursor');
  }
}

/** The event as stored: canonical JSON, and what storage reads of it. */
function normalize(input: AuditRecordInput, writeOf: string | null): Normalized {
  const ids: unknown = input.patientIds;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw new TypeError('an audit event needs patientIds: string[]');
  }
  // A write event names its record by its one patient id (hashed and MACed with the rest).
  if (writeOf !== null && (ids.length !== 1 || ids[0] !== writeOf)) {
    throw new RangeError('the audit event of a write names exactly the patient written');
  }
  const json = canonicalJson(input);
  return {
    json,
    event: JSON.parse(json) as AuditRecordContent,
    filed: [...new Set(ids.filter(isRecordId))],
    writeOf,
  };
}

function rejectJob(job: Job, error: unknown): void {
  if (job.kind === 'write') job.reject(error);
  else for (const unit of job.units) unit.reject(error);
}
