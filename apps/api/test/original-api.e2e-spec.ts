import { SEED_FIELDS, SEED_FORM_BODY, SEED_SCORE } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';

/** The original's three curl calls, over HTTPS, against a TLS Redis with client certificates. */
describe('the original API over HTTPS with Redis', () => {
  const api = useTestApi({ redis: true });

  const expected = { ...SEED_FIELDS, id: 'patient_3', score: expect.closeTo(SEED_SCORE, 12) };

  it('POST /patient/patient_3 with the README form body answers 200 and the flat record', async () => {
    const res = await api.client.post('/patient/patient_3', { form: SEED_FORM_BODY });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(expected);
    // The original's key order: alphabetical.
    expect(Object.keys(res.json())).toEqual(Object.keys(expected).sort());
  });

  it('GET /patient/patient_3 answers the same record, with its revision as a strong ETag', async () => {
    const res = await api.client.get('/patient/patient_3');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual(expected);
    expect(res.headers.etag).toBe('"1"');
  });

  it('GET /score/patient_3 answers the score with its explanation', async () => {
    const res = await api.client.get('/score/patient_3');
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      id: 'patient_3',
      score: expect.closeTo(SEED_SCORE, 12),
      cci: 2,
      agePoints: 0,
    });
    expect(body.conditions.map((c: { weight: number }) => c.weight)).toEqual([1, 1]);
    expect(body.unrecognized).toContain('hypertension');
  });

  it('scores the same record the same way every time', async () => {
    const scores = await Promise.all([1, 2, 3].map(() => api.client.get('/score/patient_3')));
    expect(new Set(scores.map((r) => r.json().score)).size).toBe(1);
  });

  it('accepts the same fields as JSON', async () => {
    const res = await api.client.post('/patient/json-1', { json: SEED_FIELDS });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ ...expected, id: 'json-1' });
  });

  it('answers 409 problem+json for an id that exists, and keeps the first record', async () => {
    const res = await api.client.post('/patient/patient_3', {
      form: { ...SEED_FIELDS, fname: 'Mallory' },
    });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 409, title: 'Patient already exists' });
    expect((await api.client.get('/patient/patient_3')).json().fname).toBe('Jane');
  });

  it('answers 404 problem+json for an unknown id, on both reads', async () => {
    for (const path of ['/patient/nobody', '/score/nobody']) {
      const res = await api.client.get(path);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 404, title: 'Patient not found', instance: path });
    }
  });

  it('lets exactly one of many concurrent creates of one id win (200), the others get 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        api.client.post('/patient/contended', { form: { ...SEED_FIELDS, fname: `Writer${i}` } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    const winner = results.find((r) => r.status === 200)!.json().fname;
    expect((await api.client.get('/patient/contended')).json().fname).toBe(winner);
  });
});
