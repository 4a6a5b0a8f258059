import { SEED_FIELDS, seedWith } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';

/** Every bad input gets a clear problem+json answer naming the field, and stores nothing. */
describe('input validation (memory storage)', () => {
  const api = useTestApi();

  async function expectProblem(
    res: { status: number; headers: Record<string, unknown>; json(): any; text: string },
    status: number,
  ) {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
    expect(res.text).not.toMatch(/node_modules|at [A-Za-z.]+ \(|Error:/);
    return body;
  }

  async function expectNothingStored(id: string) {
    expect((await api.client.get(`/patient/${id}`)).status).toBe(404);
  }

  it.each([
    [
      'a missing field',
      'v-missing',
      () => {
        const { ssn: _, ...rest } = SEED_FIELDS;
        return rest;
      },
      'ssn',
    ],
    ['an unknown field', 'v-unknown', () => ({ ...SEED_FIELDS, role: 'admin' }), 'role'],
    ['an impossible date', 'v-date', () => seedWith({ dob: '02/30/2010' }), 'dob'],
    ['a date in another format', 'v-format', () => seedWith({ dob: '1.1.2010' }), 'dob'],
    [
      'a birth in the future',
      'v-future',
      () => seedWith({ dob: '01/01/2999', dateadmitted: '01/02/2999' }),
      'dob',
    ],
    [
      'an admission before birth',
      'v-before',
      () => seedWith({ dateadmitted: '12/31/2009' }),
      'dateadmitted',
    ],
    ['a bad email', 'v-email', () => seedWith({ email: 'not-an-email' }), 'email'],
    ['a bad ssn', 'v-ssn', () => seedWith({ ssn: '12-34' }), 'ssn'],
    ['an overlong name', 'v-long', () => seedWith({ fname: 'x'.repeat(101) }), 'fname'],
    ['a control character', 'v-ctrl', () => seedWith({ city: 'Rich\u0000mond' }), 'city'],
    ['an empty name', 'v-empty', () => seedWith({ lname: '' }), 'lname'],
  ])('answers 400 naming the field for %s', async (_label, id, body, field) => {
    for (const send of ['form', 'json'] as const) {
      const res = await api.client.post(`/patient/${id}`, { [send]: body() });
      const problem = await expectProblem(res, 400);
      expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    await expectNothingStored(id);
  });

  it('names every missing field of an empty form', async () => {
    const problem = await expectProblem(await api.client.post('/patient/v-all', { form: '' }), 400);
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      Object.keys(SEED_FIELDS).sort(),
    );
  });

  it('refuses a non-string JSON value, naming it', async () => {
    const problem = await expectProblem(
      await api.client.post('/patient/v-num', { json: { ...SEED_FIELDS, fname: 42 } }),
      400,
    );
    expect(problem.errors).toContainEqual({
      field: 'fname',
      message: expect.stringMatching(/string/),
    });
  });

  it('refuses a repeated form field (an array), naming it', async () => {
    const form = new URLSearchParams(SEED_FIELDS);
    form.append('fname', 'Second');
    const problem = await expectProblem(
      await api.client.post('/patient/v-rep', { form: form.toString() }),
      400,
    );
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain('fname');
  });

  it.each(['bad id!', 'x'.repeat(65), 'semi;colon', '%00'])(
    'answers 400 for the id %j',
    async (id) => {
      const problem = await expectProblem(
        await api.client.get(`/patient/${encodeURIComponent(id)}`),
        400,
      );
      expect(problem.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
    },
  );

  it('answers 400 for malformed JSON', async () => {
    const res = await api.client.post('/patient/v-json', {
      body: '{"fname": "Jane",',
      headers: { 'content-type': 'application/json' },
    });
    expect((await expectProblem(res, 400)).detail).toMatch(/JSON/);
  });

  it('answers 400 for a JSON body that is not an object', async () => {
    for (const body of ['[1,2]', '"text"', 'null']) {
      const res = await api.client.post('/patient/v-shape', {
        body,
        headers: { 'content-type': 'application/json' },
      });
      await expectProblem(res, 400);
    }
    await expectNothingStored('v-shape');
  });

  it('answers 415 for a body of another media type', async () => {
    const res = await api.client.post('/patient/v-type', {
      body: 'fname=Jane',
      headers: { 'content-type': 'text/plain' },
    });
    expect((await expectProblem(res, 415)).detail).toMatch(/x-www-form-urlencoded/);
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await api.client.post('/patient/v-big', {
      form: seedWith({ drugallergies: 'x'.repeat(200_000) }),
    });
    await expectProblem(res, 413);
    await expectNothingStored('v-big');
  });

  it('answers 404 problem+json for an unknown route', async () => {
    await expectProblem(await api.client.get('/nothing/here'), 404);
  });

  it('accepts ISO dates and US 3-2-4 social security numbers', async () => {
    const res = await api.client.post('/patient/v-iso', {
      json: seedWith({ dob: '1950-02-28', dateadmitted: '2020-03-01', ssn: '123-45-6789' }),
    });
    expect(res.status).toBe(200);
  });

  it('does not send x-powered-by', async () => {
    const res = await api.client.get('/patient/nobody');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
