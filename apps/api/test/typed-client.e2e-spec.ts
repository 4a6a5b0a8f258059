import type { PatientFields } from '@patient-api/client';
import { SEED_FIELDS, SEED_SCORE } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';

/** The main flows through the generated client: a contract change that breaks callers fails here. */
describe('the typed client (openapi/client)', () => {
  const api = useTestApi({ redis: true });
  const id = { params: { path: { id: 'typed-1' } } };

  it('creates, reads and scores a patient', async () => {
    const fields: PatientFields = { ...SEED_FIELDS };
    const created = await api.typed.POST('/patient/{id}', { ...id, body: fields });
    expect(created.response.status).toBe(200);
    expect(created.data).toMatchObject({
      id: 'typed-1',
      fname: 'Jane',
      score: expect.closeTo(SEED_SCORE, 10),
    });

    const read = await api.typed.GET('/patient/{id}', id);
    expect(read.data?.ssn).toBe('123-223-2345');
    expect(read.response.headers.get('etag')).toBe('"1"');

    const score = await api.typed.GET('/score/{id}', id);
    expect(score.data?.cci).toBe(2);
    expect(score.data?.conditions?.map((c) => c.condition).sort()).toEqual([
      'chronic_pulmonary_disease',
      'diabetes',
    ]);
  });

  it('sends form bodies like the original clients', async () => {
    const res = await api.typed.POST('/patient/{id}', {
      params: { path: { id: 'typed-form' } },
      body: { ...SEED_FIELDS },
      bodySerializer: (body) =>
        new URLSearchParams(body as unknown as Record<string, string>).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.response.status).toBe(200);
  });

  it('replaces with If-Match, and answers a typed 412 problem for a stale ETag', async () => {
    const ok = await api.typed.PUT('/patient/{id}', {
      ...id,
      body: { ...SEED_FIELDS, city: 'Tacoma' },
      headers: { 'If-Match': '"1"' },
    });
    expect(ok.data?.city).toBe('Tacoma');
    const stale = await api.typed.PUT('/patient/{id}', {
      ...id,
      body: { ...SEED_FIELDS, city: 'Olympia' },
      headers: { 'If-Match': '"1"' },
    });
    expect(stale.response.status).toBe(412);
    expect(stale.error).toMatchObject({ status: 412, title: 'Precondition failed' });
  });

  it('pages through the listing', async () => {
    for (const n of [1, 2, 3])
      await api.typed.POST('/patient/{id}', {
        params: { path: { id: `typed-page-${n}` } },
        body: { ...SEED_FIELDS },
      });
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.typed.GET('/patients', { params: { query: { limit: 2, cursor } } });
      ids.push(...(page.data?.items.map((p) => p.id) ?? []));
      cursor = page.data?.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(
      expect.arrayContaining([
        'typed-1',
        'typed-form',
        'typed-page-1',
        'typed-page-2',
        'typed-page-3',
      ]),
    );
  });

  it('answers errors as typed problems naming the field', async () => {
    const bad = await api.typed.POST('/patient/{id}', {
      params: { path: { id: 'typed-bad' } },
      body: { ...SEED_FIELDS, dob: '02/30/2010' },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.errors).toEqual([{ field: 'dob', message: expect.any(String) }]);
  });

  it('erases a patient', async () => {
    expect((await api.typed.DELETE('/patient/{id}', id)).response.status).toBe(204);
    const gone = await api.typed.GET('/patient/{id}', id);
    expect(gone.response.status).toBe(404);
    expect(gone.error?.title).toBe('Patient not found');
  });
});
