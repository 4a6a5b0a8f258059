import { SEED_FIELDS, seedWith } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';
import { eventually } from '@test/support/eventually';

interface Chained {
  id: string;
  chain: string;
  seq: number;
  prev: string;
  hash: string;
  mac: string;
  event: { requestId: string; action: string; outcome: string; recordDigest?: string | null };
}

/** The audit trail in Redis: stored before the answer, chained, readable per patient and whole. */
describe('the audit trail (Redis)', () => {
  const api = useTestApi({ redis: true, direct: true, logs: true });

  async function trail(
    limit = 500,
    cursor?: string,
  ): Promise<{ items: Chained[]; next: string | null }> {
    const res = await api.client.get(`/audit?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    return { items: res.json().items, next: res.json().nextCursor };
  }

  async function allEvents(limit: number): Promise<Chained[]> {
    const events: Chained[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await trail(limit, cursor);
      events.push(...page.items);
      if (page.next === null) return events;
      cursor = page.next;
    }
  }

  const eventOf = async (res: { headers: Record<string, unknown> }) =>
    (await allEvents(500)).filter((e) => e.event.requestId === res.headers['x-request-id']);

  it("a patient's accounting of disclosures: who, what, how it ended; kept after erasure, no content", async () => {
    const id = 'trail-1';
    await api.client.post(`/patient/${id}`, { json: SEED_FIELDS });
    await api.client.get(`/patient/${id}`);
    await api.client.get(`/score/${id}`);
    await api.client.put(`/patient/${id}`, { json: seedWith({ city: 'Tacoma' }) });
    const reader = api.anonymous.with({
      authorization: `Bearer ${await api.token({ subject: 'clerk', scopes: ['scores:read'] })}`,
    });
    await reader.get(`/patient/${id}`);
    await api.client.request('DELETE', `/patient/${id}`);

    const log = await api.client.get(`/patient/${id}/access-log`);
    expect(log.status).toBe(200);
    expect(
      log
        .json()
        .items.map((e: { action: string; outcome: string; actor: string }) => [
          e.action,
          e.outcome,
          e.actor,
        ]),
    ).toEqual([
      ['patient.create', 'success', 'dev-user'],
      ['patient.read', 'success', 'dev-user'],
      ['score.read', 'success', 'dev-user'],
      ['patient.replace', 'success', 'dev-user'],
      ['patient.read', 'forbidden', 'clerk'],
      ['patient.erase', 'success', 'dev-user'],
    ]);
    for (const secret of [SEED_FIELDS.ssn, SEED_FIELDS.fname, 'Tacoma', SEED_FIELDS.dob]) {
      expect(log.text).not.toContain(secret);
    }
  });

  it('writes carry the digest of the envelope they stored; an erasure carries none', async () => {
    const created = await api.client.post('/patient/trail-2', { json: SEED_FIELDS });
    const [event] = await eventOf(created);
    expect(event.event.recordDigest).toMatch(/^[0-9a-f]{64}$/);
    const erased = await api.client.request('DELETE', '/patient/trail-2');
    expect((await eventOf(erased))[0].event.recordDigest).toBeNull();
  });

  it('every event is chained: seq without gaps, each prev the hash before it, a MAC', async () => {
    const events = await allEvents(500);
    const byChain = new Map<string, Chained[]>();
    for (const e of events) byChain.set(e.chain, [...(byChain.get(e.chain) ?? []), e]);
    for (const chain of byChain.values()) {
      chain.forEach((e, i) => {
        expect(e.seq).toBe(chain[0].seq + i);
        if (i > 0) expect(e.prev).toBe(chain[i - 1].hash);
        expect(e.mac).toMatch(/^[0-9a-f]{64}$/);
      });
    }
  });

  it('pages through the whole trail repeating and skipping nothing, while events are added', async () => {
    for (let i = 0; i < 40; i++) await api.client.get(`/patient/page-${i}`);
    const whole = (await allEvents(500)).map((e) => e.id);
    const paged: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await trail(7, cursor);
      paged.push(...page.items.map((e) => e.id));
      // Reading adds events of its own: they come after, never in between.
      if (page.next === null || paged.length >= whole.length) break;
      cursor = page.next;
    }
    expect(paged.slice(0, whole.length)).toEqual(whole);
    expect(new Set(paged).size).toBe(paged.length);
  });

  it('the log line of an event carries its sequence number', async () => {
    const res = await api.client.get('/patient/logged-seq');
    const [stored] = await eventOf(res);
    const line = await eventually(
      async () =>
        api.logs
          .map((l) => JSON.parse(l))
          .find((l) => l.audit && l.requestId === res.headers['x-request-id']),
      (found) => found !== undefined,
    );
    expect(line).toMatchObject({ seq: stored.seq, chain: stored.chain });
  });

  it('needs audit:read', async () => {
    const nurse = api.anonymous.with({
      authorization: `Bearer ${await api.token({ scopes: ['patients:read'] })}`,
    });
    expect((await nurse.get('/audit')).status).toBe(403);
    expect((await nurse.get('/patient/trail-1/access-log')).status).toBe(403);
  });

  it('another clinic reads only its own trail', async () => {
    const other = api.anonymous.with({
      authorization: `Bearer ${await api.token({ tenant: 'clinic-z' })}`,
    });
    const log = (await other.get('/patient/trail-1/access-log')).json();
    expect(log.items).toEqual([]);
  });

  it('discloses no record whose read event cannot be stored: 503', async () => {
    await api.client.post('/patient/unaudited', { json: SEED_FIELDS });
    // Reads still work, writes (the event) wait: the command timeout turns that into a 503.
    await api.direct.call('CLIENT', 'PAUSE', '4000', 'WRITE');
    try {
      const res = await api.client.get('/patient/unaudited', { timeoutMs: 10000 });
      expect(res.status).toBe(503);
      expect(res.text).not.toContain(SEED_FIELDS.ssn);
    } finally {
      await api.direct.call('CLIENT', 'UNPAUSE');
    }
  });
});

describe('audit checkpoints (memory storage)', () => {
  const api = useTestApi({ logs: true, env: { AUDIT_CHECKPOINT_S: '1', LOG_LEVEL: 'info' } });

  it('writes the head of every chain to the log, matching the trail', async () => {
    await api.client.get('/patient/cp-1');
    const checkpoint = await eventually(
      async () =>
        api.logs.map((l) => JSON.parse(l)).filter((l) => l.checkpoint && l.tenant === 'dev-clinic'),
      (lines) => lines.length > 0,
      5000,
    );
    expect(checkpoint.at(-1)).toMatchObject({
      checkpoint: true,
      tenant: 'dev-clinic',
      chain: expect.stringMatching(/^[0-9a-f]+$/),
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});
