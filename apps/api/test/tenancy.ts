import { SEED_FIELDS, SEED_FORM_BODY, seedWith } from '@test/support/seed';
import { signToken } from '@test/support/tokens';
import type { TestApiContext } from '@test/support/test-api';
import type { TestRedis } from '@test/support/test-bed';

/** The record key of a patient of a clinic: the tenant in braces is the Cluster hash tag. */
const recordKey = (tenant: string, id: string) => `patient:{${tenant}}:${id}`;

/**
 * Clinics are tenants: the assertions of the tenancy issue, against whatever Redis `api` runs
 * on (standalone in the e2e suite, Cluster in the ops suite).
 */
export function tenancySuite<R extends TestRedis>(
  api: TestApiContext<R>,
  options: { direct: boolean },
): void {
  const clinic = async (tenant: string, scopes?: string[]) =>
    api.anonymous.with({ authorization: `Bearer ${await api.token({ tenant, scopes })}` });

  it('a record of another clinic answers exactly as an unknown id, and nothing changes', async () => {
    const a = await clinic('clinic-a');
    const b = await clinic('clinic-b');
    expect((await a.post('/patient/p1', { form: SEED_FORM_BODY })).status).toBe(200);

    const unknown = await b.get('/patient/never-existed');
    for (const [method, path, body] of [
      ['GET', '/patient/p1', undefined],
      ['GET', '/score/p1', undefined],
      ['PUT', '/patient/p1', seedWith({ fname: 'Mallory' })],
      ['DELETE', '/patient/p1', undefined],
    ] as const) {
      const res = await b.request(method, path, body ? { json: body } : {});
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      // The same body as for an id that never existed, but for the path: no existence oracle.
      expect({ ...res.json(), instance: undefined }).toEqual({
        ...unknown.json(),
        instance: undefined,
      });
    }
    const mine = await a.get('/patient/p1');
    expect(mine.json().fname).toBe(SEED_FIELDS.fname);
    expect(mine.headers.etag).toBe('"1"');
  });

  it('two clinics may both have p1; each listing shows only its own', async () => {
    const a = await clinic('clinic-a');
    const b = await clinic('clinic-b');
    expect((await b.post('/patient/p1', { json: seedWith({ fname: 'Bea' }) })).status).toBe(200);
    await a.post('/patient/a-only', { json: SEED_FIELDS });
    expect((await a.get('/patient/p1')).json().fname).toBe(SEED_FIELDS.fname);
    expect((await b.get('/patient/p1')).json().fname).toBe('Bea');
    const ids = async (client: typeof a) =>
      ((await client.get('/patients?limit=100')).json().items as Array<{ id: string }>).map(
        (item) => item.id,
      );
    expect(await ids(a)).toEqual(['a-only', 'p1']);
    expect(await ids(b)).toEqual(['p1']);
  });

  // Storage's own suite proves it on Cluster too (libs/storage/test); here, through the API.
  if (options.direct)
    it("an envelope copied to another clinic's key fails its integrity check", async () => {
      const a = await clinic('clinic-a');
      const c = await clinic('clinic-c');
      await c.post('/patient/p1', { json: seedWith({ fname: 'Cyd' }) });
      const envelope = await api.direct.get(recordKey('clinic-a', 'p1'));
      expect(envelope).not.toBeNull();
      await api.direct.set(recordKey('clinic-c', 'p1'), envelope!);
      const res = await c.get('/patient/p1');
      expect(res.status).toBe(500);
      expect(res.json().title).toBe('Record integrity check failed');
      expect(res.text).not.toContain(SEED_FIELDS.fname);
      expect((await a.get('/patient/p1')).status).toBe(200);
    });

  it('refuses a token that names no clinic (403, saying so)', async () => {
    const token = await signToken(
      { privateJwk: api.secrets.signingKey, kid: api.secrets.signingKey.kid as string },
      {
        iss: api.config.auth.issuer,
        aud: api.config.auth.audience,
        scope: 'patients:read',
        tenant: null,
      },
    );
    const res = await api.anonymous.get('/patient/p1', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(403);
    expect(res.json().detail).toMatch(/clinic/);
  });

  it('answers the SSN in full only with patients:identifiers; listings never carry it', async () => {
    const full = await clinic('clinic-a', ['patients:read', 'patients:identifiers']);
    const masked = await clinic('clinic-a', ['patients:read']);
    expect((await full.get('/patient/p1')).json().ssn).toBe('123-223-2345');
    expect((await masked.get('/patient/p1')).json().ssn).toBe('***-***-2345');
    const listing = await full.get('/patients');
    expect(listing.text).not.toContain('2345');
  });

  describe('emergency access ("break the glass")', () => {
    it('without the reason header: 403 saying the header is required', async () => {
      const er = await clinic('clinic-a', ['patients:emergency']);
      const res = await er.get('/patient/p1');
      expect(res.status).toBe(403);
      expect(res.json().detail).toMatch(/X-Break-Glass-Reason/);
    });

    it('with a reason: the record (SSN masked), audited with the reason, counted', async () => {
      const er = await clinic('clinic-a', ['patients:emergency']);
      const res = await er.get('/patient/p1', {
        headers: { 'x-break-glass-reason': 'unconscious patient in ER, allergies needed' },
      });
      expect(res.status).toBe(200);
      expect(res.json().ssn).toBe('***-***-2345');
      const lines = api.logs.map((line) => JSON.parse(line));
      const audit = lines.filter((l) => l.audit && l.requestId === res.headers['x-request-id']);
      expect(audit).toEqual([
        expect.objectContaining({
          action: 'patient.read',
          outcome: 'success',
          tenant: 'clinic-a',
          breakGlassReason: 'unconscious patient in ER, allergies needed',
        }),
      ]);
      expect(lines.some((l) => l.level === 40 && /emergency access/.test(l.msg))).toBe(true);
      const metrics = await api.anonymous.get('/metrics');
      expect(metrics.text).toMatch(/^break_glass_access_total [1-9]/m);
    });

    it('a reason of control characters or over 500 characters is refused (400)', async () => {
      const er = await clinic('clinic-a', ['patients:emergency']);
      for (const reason of ['x'.repeat(501), '   ']) {
        const res = await er.get('/patient/p1', { headers: { 'x-break-glass-reason': reason } });
        expect(res.status).toBe(400);
        expect(res.json().errors[0].field).toBe('X-Break-Glass-Reason');
      }
    });

    it('never across clinics', async () => {
      const er = await clinic('clinic-b', ['patients:emergency']);
      const res = await er.get('/patient/a-only', {
        headers: { 'x-break-glass-reason': 'wrong clinic' },
      });
      expect(res.status).toBe(404);
    });

    it('is only for reading a record: not for listings or writes', async () => {
      const er = await clinic('clinic-a', ['patients:emergency']);
      const headers = { 'x-break-glass-reason': 'need it' };
      expect((await er.get('/patients', { headers })).status).toBe(403);
      expect((await er.put('/patient/p1', { json: SEED_FIELDS, headers })).status).toBe(403);
    });
  });
}
