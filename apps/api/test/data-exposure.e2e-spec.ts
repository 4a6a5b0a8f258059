import { SEED_FIELDS, SEED_FORM_BODY, seedWith } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';

/** What a hospital security review asked of answers: minimum necessary, uncached, no echo. */
describe('data exposure (memory storage)', () => {
  const api = useTestApi({ patients: ['exposed'] });

  async function clientWith(scopes: string[]) {
    return api.anonymous.with({ authorization: `Bearer ${await api.token({ scopes })}` });
  }

  describe('a score-only token sees no diagnoses', () => {
    it('answers the numbers alone to scores:read', async () => {
      const client = await clientWith(['scores:read']);
      const res = await client.get('/score/exposed');
      expect(res.status).toBe(200);
      expect(Object.keys(res.json()).sort()).toEqual(
        ['cci', 'id', 'model', 'score', 'tenYearSurvival', 'weights'].sort(),
      );
      expect(res.text).not.toMatch(/diabetes|asthma|hypertension/);
    });

    it('answers the explanation to scores:read with patients:read', async () => {
      const client = await clientWith(['scores:read', 'patients:read']);
      const body = (await client.get('/score/exposed')).json();
      expect(body.conditions.map((c: { matched: string }) => c.matched)).toEqual([
        'asthma',
        'diabetes',
      ]);
      expect(body).toHaveProperty('ageYears');
      expect(body.unrecognized).toEqual(['hypertension']);
    });
  });

  describe('no cache keeps an answer that carries patient data', () => {
    it.each([
      ['GET', '/patient/exposed'],
      ['GET', '/patients'],
      ['GET', '/score/exposed'],
    ])('%s %s says no-store', async (_method, path) => {
      const res = await api.client.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.pragma).toBe('no-cache');
    });

    it('POST and PUT say no-store', async () => {
      const created = await api.client.post('/patient/exposed-2', { form: SEED_FORM_BODY });
      expect(created.headers['cache-control']).toBe('no-store');
      const replaced = await api.client.put('/patient/exposed-2', { json: SEED_FIELDS });
      expect(replaced.headers['cache-control']).toBe('no-store');
    });
  });

  describe('an error never repeats what the client sent', () => {
    it('a JSON body sent as a form: no field name made of the body', async () => {
      const res = await api.client.post('/patient/echo-json', {
        body: JSON.stringify(SEED_FIELDS),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status).toBe(400);
      expect(res.text).not.toContain(SEED_FIELDS.ssn);
      expect(res.text).not.toContain(SEED_FIELDS.fname);
      expect(res.json().errors).toContainEqual({ field: 'body', message: 'has an unknown field' });
    });

    it('a stray & in a form value: the rest of the value is not named as a field', async () => {
      const body = SEED_FORM_BODY.replace("address='123 Main Street'", 'address=123 & Secret Lane');
      const res = await api.client.post('/patient/echo-amp', { form: body });
      expect(res.status).toBe(400);
      expect(res.text).not.toContain('Secret Lane');
    });

    it('still names an unknown field whose name looks like one', async () => {
      const res = await api.client.post('/patient/echo-role', {
        json: { ...SEED_FIELDS, role: 'admin' },
      });
      expect(res.json().errors).toEqual([{ field: 'role', message: 'is not a known field' }]);
      expect(res.text).not.toContain('admin');
    });

    it('an unknown route: the query string is not repeated', async () => {
      const res = await api.client.get('/no-such-route?ssn=987-65-4321');
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('987-65-4321');
    });
  });

  describe('bodies that would make validation expensive are refused before it', () => {
    it('refuses JSON nested deeper than 8 levels with 400, not 500', async () => {
      for (const open of ['[', '{"a":']) {
        const close = open === '[' ? ']' : '}';
        const deep = open.repeat(6000) + '1' + close.repeat(6000);
        const res = await api.client.post('/patient/deep', {
          body: `{"fname":${deep}}`,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(400);
        expect(res.json().errors).toEqual([{ field: 'body', message: expect.any(String) }]);
      }
    });

    it('refuses thousands of members up front with a small answer', async () => {
      const keys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'x']));
      const res = await api.client.post('/patient/wide', { json: { ...SEED_FIELDS, ...keys } });
      expect(res.status).toBe(400);
      expect(res.text.length).toBeLessThan(2000);
    });

    it('lists at most 20 invalid fields and says how many there were', async () => {
      const keys = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`extra${i}`, 'x']));
      const res = await api.client.post('/patient/many-errors', {
        json: { ...SEED_FIELDS, ...keys },
      });
      expect(res.status).toBe(400);
      expect(res.json().errors).toHaveLength(20);
      expect(res.json().detail).toMatch(/^30 invalid fields/);
    });
  });

  describe('implausible dates are refused, not scored', () => {
    it.each([
      ['an admission after today', { dateadmitted: '12/31/9999' }, 'dateadmitted'],
      ['a birth before 1900', { dob: '01/01/1000' }, 'dob'],
    ])('%s', async (_label, overrides, field) => {
      const res = await api.client.post('/patient/implausible', { json: seedWith(overrides) });
      expect(res.status).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('accepts a birth in 1900 and an admission today', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const res = await api.client.post('/patient/plausible', {
        json: seedWith({ dob: '1900-01-01', dateadmitted: today }),
      });
      expect(res.status).toBe(200);
    });
  });
});
