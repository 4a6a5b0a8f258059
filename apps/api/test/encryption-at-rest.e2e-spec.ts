import { recordKey } from '@app/storage/redis/redis-key-layout';
import { SEED_FIELDS, seedWith } from '@test/support/seed';
import { eventually } from '@test/support/eventually';
import { useTestApi } from '@test/support/test-api';

/** What someone with access to Redis (but not to the enclave's keys) gets to see. */
describe('records at rest in Redis', () => {
  const api = useTestApi({ redis: true, direct: true, logs: true });

  it('holds no field of any patient in plaintext', async () => {
    const patients = [
      seedWith({}),
      seedWith({
        fname: 'Zebulon',
        lname: 'Quirke',
        ssn: '987-65-4321',
        email: 'zq@clinic.example',
        city: 'Spokane',
      }),
    ];
    for (const [i, fields] of patients.entries()) {
      expect((await api.client.post(`/patient/plain-${i}`, { json: fields })).status).toBe(200);
    }
    const dump: string[] = [];
    for (const key of await api.direct.keys('*')) {
      dump.push(key);
      const type = await api.direct.type(key);
      if (type === 'string') dump.push((await api.direct.get(key)) ?? '');
      if (type === 'zset') dump.push(...(await api.direct.zrange(key, '0', '-1')));
    }
    const everything = dump.join('\n');
    for (const fields of patients) {
      for (const [name, value] of Object.entries(fields)) {
        // Each value, and for the quoted ones their inner text too.
        for (const needle of [value, value.replace(/'/g, '')]) {
          expect({ field: name, found: everything.includes(needle) }).toEqual({
            field: name,
            found: false,
          });
        }
      }
    }
    const envelope = JSON.parse((await api.direct.get(recordKey('dev-clinic', 'plain-1')))!);
    expect(Object.keys(envelope).sort()).toEqual(['ct', 'iv', 'kid', 'rev', 'tag', 'v']);
    expect(Buffer.from(envelope.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(envelope.tag, 'base64')).toHaveLength(16);
  });

  it('uses a fresh nonce for every write, even of the same content', async () => {
    await api.client.post('/patient/nonce-a', { json: SEED_FIELDS });
    await api.client.post('/patient/nonce-b', { json: SEED_FIELDS });
    const a = JSON.parse((await api.direct.get(recordKey('dev-clinic', 'nonce-a')))!);
    const b = JSON.parse((await api.direct.get(recordKey('dev-clinic', 'nonce-b')))!);
    expect(a.iv).not.toEqual(b.iv);
    expect(a.ct).not.toEqual(b.ct);
  });

  const expectIntegrityFailure = async (id: string) => {
    for (const path of [`/patient/${id}`, `/score/${id}`]) {
      const res = await api.client.get(path);
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json()).toMatchObject({ title: 'Record integrity check failed', status: 500 });
      expect(res.text).not.toMatch(/Jane|123-223-2345|diabetes/);
    }
  };

  it('never returns a record whose ciphertext was changed by one byte, and audits it', async () => {
    await api.client.post('/patient/flip', { json: SEED_FIELDS });
    const envelope = JSON.parse((await api.direct.get(recordKey('dev-clinic', 'flip')))!);
    const ct = Buffer.from(envelope.ct, 'base64');
    ct[Math.floor(ct.length / 2)] ^= 0x01;
    await api.direct.set(
      recordKey('dev-clinic', 'flip'),
      JSON.stringify({ ...envelope, ct: ct.toString('base64') }),
    );
    await expectIntegrityFailure('flip');
    const audit = api.logs
      .map((l) => JSON.parse(l))
      .filter((l) => l.audit && l.patientId === 'flip');
    expect(audit.map((l) => [l.action, l.outcome])).toContainEqual([
      'patient.read',
      'integrity_failure',
    ]);
  });

  it("does not decrypt patient A's value copied under patient B's key", async () => {
    await api.client.post('/patient/victim-a', { json: seedWith({ fname: 'Alice' }) });
    await api.client.post('/patient/victim-b', { json: seedWith({ fname: 'Bob' }) });
    await api.direct.set(
      recordKey('dev-clinic', 'victim-b'),
      (await api.direct.get(recordKey('dev-clinic', 'victim-a')))!,
    );
    await expectIntegrityFailure('victim-b');
    expect((await api.client.get('/patient/victim-a')).json().fname).toBe('Alice');
  });

  it('refuses a revision edited in place (the revision is authenticated too)', async () => {
    await api.client.post('/patient/rev-edit', { json: SEED_FIELDS });
    const envelope = JSON.parse((await api.direct.get(recordKey('dev-clinic', 'rev-edit')))!);
    await api.direct.set(
      recordKey('dev-clinic', 'rev-edit'),
      JSON.stringify({ ...envelope, rev: 7 }),
    );
    await expectIntegrityFailure('rev-edit');
  });

  it('withholds tampered records from a listing, names them, and lists the rest', async () => {
    const seen: string[] = [];
    const withheld: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.client.get(`/patients?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.json().items.map((p: { id: string }) => p.id));
      withheld.push(...res.json().withheld);
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(withheld.sort()).toEqual(['flip', 'rev-edit', 'victim-b']);
    expect(seen).toEqual(expect.arrayContaining(['plain-0', 'plain-1', 'victim-a', 'nonce-a']));
    expect(seen).not.toEqual(expect.arrayContaining(['flip']));
  });

  it('writes no PHI and no token to the logs, and one audit line per access', async () => {
    api.logs.length = 0;
    const token = (api.client as unknown as { options: { headers: { authorization: string } } })
      .options.headers.authorization;
    const fields = seedWith({
      fname: 'Philomena',
      lname: 'Cartwright',
      ssn: '555-12-3456',
      dob: '07/04/1961',
      email: 'pc@clinic.example',
    });
    const id = 'logged-1';
    expect(
      (
        await api.client.post(`/patient/${id}`, {
          form: fields,
          headers: { 'x-request-id': 'req-abc-123' },
        })
      ).status,
    ).toBe(200);
    expect((await api.client.get(`/patient/${id}`)).status).toBe(200);
    expect((await api.client.get(`/score/${id}`)).status).toBe(200);
    expect((await api.client.request('PUT', `/patient/${id}`, { json: fields })).status).toBe(200);
    expect((await api.client.get(`/patients?limit=5`)).status).toBe(200);
    expect((await api.client.request('DELETE', `/patient/${id}`)).status).toBe(204);
    expect((await api.anonymous.get(`/patient/${id}`)).status).toBe(401);
    // A request's line is written once its answer has ended: the last one may still be on its way.
    const isAuditOf = (l: {
      audit?: boolean;
      patientId?: string;
      action?: string;
      outcome?: string;
    }) =>
      l.audit && (l.patientId === id || (l.action === 'patient.list' && l.outcome === 'success'));
    await eventually(
      async () =>
        api.logs.map((l) => JSON.parse(l) as Parameters<typeof isAuditOf>[0]).filter(isAuditOf),
      (found) => found.length >= 7,
    );

    const text = api.logs.join('\n');
    for (const secret of [
      'Philomena',
      'Cartwright',
      '555-12-3456',
      '07/04/1961',
      'pc@clinic.example',
      token.slice(7),
      token.slice(7, 40),
    ]) {
      expect({ secret, logged: text.includes(secret) }).toEqual({ secret, logged: false });
    }
    const lines = api.logs.map((l) => JSON.parse(l));
    const audit = lines.filter(
      (l) =>
        l.audit && (l.patientId === id || (l.action === 'patient.list' && l.outcome === 'success')),
    );
    expect(audit.map((l) => [l.action, l.outcome, l.actor])).toEqual([
      ['patient.create', 'success', 'dev-user'],
      ['patient.read', 'success', 'dev-user'],
      ['score.read', 'success', 'dev-user'],
      ['patient.replace', 'success', 'dev-user'],
      ['patient.list', 'success', 'dev-user'],
      ['patient.erase', 'success', 'dev-user'],
      ['patient.read', 'unauthenticated', 'unauthenticated'],
    ]);
    // The caller's request id is kept beside the service's own, which its log line carries.
    expect(audit[0].clientRequestId).toBe('req-abc-123');
    expect(audit[0].requestId).not.toBe('req-abc-123');
    expect(audit[0].req).toMatchObject({ id: audit[0].requestId, method: 'POST' });
  });
});
