import { SEED_FIELDS, seedWith } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';

/** 1 - 0.983^(e^(0.9 × CCI)): the 1987 model's risk for a CCI. */
const risk = (cci: number) => 1 - Math.pow(0.983, Math.exp(0.9 * cci));

/**
 * ICD-10 codes beside the free text, against real TLS Redis. Expected values are worked out from
 * Quan et al. 2005 (the codes' conditions) and the published weights, not from our output.
 */
describe('coded diagnoses (icd10) over HTTPS with Redis', () => {
  const api = useTestApi({ redis: true });

  // Born 1950, admitted 2010: 60 years old, 2 age points.
  const coded = seedWith({
    dob: '01/01/1950',
    dateadmitted: '01/05/2010',
    preexistingconditions: 'asthma',
  });

  it('stores a JSON record with codes, answering them sorted, normalised and deduplicated', async () => {
    const res = await api.client.post('/patient/icd-json', {
      json: { ...coded, icd10: ['i21.0', 'E11.9', 'e119'] },
    });
    expect(res.status).toBe(200);
    expect(res.json().icd10).toEqual(['E11.9', 'I21.0']);
    // I21 myocardial infarction 1 + E11.9 diabetes 1 + asthma 1 + 2 age points.
    expect(res.json().score).toBeCloseTo(risk(5), 12);
    const read = await api.client.get('/patient/icd-json');
    expect(read.json().icd10).toEqual(['E11.9', 'I21.0']);
  });

  it('explains which code or text matched each condition, with the mapping version', async () => {
    const body = (await api.client.get('/score/icd-json')).json();
    expect(body).toMatchObject({ cci: 5, agePoints: 2, weights: 'charlson-1987' });
    expect(body.icd10Mapping).toBe('quan-2005-icd10');
    const matched = Object.fromEntries(
      body.conditions.map((c: { condition: string; matched: string }) => [c.condition, c.matched]),
    );
    expect(matched).toEqual({
      myocardial_infarction: 'icd10:I21.0',
      diabetes: 'icd10:E11.9',
      chronic_pulmonary_disease: 'asthma',
    });
  });

  it('takes codes in a form body as one comma-separated value; the severe form of a pair wins', async () => {
    // C78.0 metastatic solid tumour (6) supersedes C50.9 (any malignancy, 2); 10 years old.
    const form = new URLSearchParams({
      ...seedWith({ preexistingconditions: '', dob: '01/01/2000', dateadmitted: '01/05/2010' }),
      icd10: 'C78.0,c509',
    }).toString();
    const res = await api.client.post('/patient/icd-form', { form });
    expect(res.status).toBe(200);
    expect(res.json().icd10).toEqual(['C50.9', 'C78.0']);
    const score = (await api.client.get('/score/icd-form')).json();
    expect(score.cci).toBe(6);
    expect(score.score).toBeCloseTo(risk(6), 12);
    expect(score.superseded.map((c: { matched: string }) => c.matched)).toEqual(['icd10:C50.9']);
  });

  it('scores with the Quan 2011 weights on request: no age points, no survival estimate', async () => {
    const res = await api.client.get('/score/icd-json?weights=quan-2011');
    expect(res.status).toBe(200);
    // MI 0, diabetes without complications 0, chronic pulmonary disease 1.
    expect(res.json()).toMatchObject({
      weights: 'quan-2011',
      cci: 1,
      score: null,
      tenYearSurvival: null,
      agePoints: null,
    });
    const bad = await api.client.get('/score/icd-json?weights=elixhauser');
    expect(bad.status).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'weights', message: expect.any(String) }]);
  });

  it('lists a code that maps to no condition as unrecognised, not as an error', async () => {
    await api.client.post('/patient/icd-unmapped', { json: { ...coded, icd10: ['Z00.0'] } });
    const body = (await api.client.get('/score/icd-unmapped')).json();
    expect(body.unrecognized).toContain('icd10:Z00.0');
  });

  it('refuses a malformed code naming the field and its position, never the code', async () => {
    const res = await api.client.post('/patient/icd-bad', {
      json: { ...coded, icd10: ['E11.9', 'SSN123-45-6789'] },
    });
    expect(res.status).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'icd10', message: expect.stringContaining('position 2') },
    ]);
    expect(res.text).not.toContain('6789');
    expect((await api.client.get('/patient/icd-bad')).status).toBe(404);
  });

  it('refuses more than 50 codes', async () => {
    const icd10 = Array.from({ length: 51 }, (_, i) => `A${String(i).padStart(2, '0')}`);
    const res = await api.client.post('/patient/icd-many', { json: { ...coded, icd10 } });
    expect(res.status).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ field: 'icd10' });
  });

  it('replaces the codes with PUT, and a PUT without them removes them', async () => {
    await api.client.post('/patient/icd-put', { json: { ...coded, icd10: ['I21.0'] } });
    const replaced = await api.client.put('/patient/icd-put', {
      json: { ...coded, icd10: ['I50.9'] },
    });
    expect(replaced.json().icd10).toEqual(['I50.9']);
    const without = await api.client.put('/patient/icd-put', { json: { ...SEED_FIELDS } });
    expect(without.status).toBe(200);
    expect(without.json()).not.toHaveProperty('icd10');
  });
});
