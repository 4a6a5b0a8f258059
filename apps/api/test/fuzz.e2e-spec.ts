import fc from 'fast-check';
import { SEED_FIELDS } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';

/** Whatever arrives, the API answers (never a 5xx) and keeps running. Bounded runs. */
describe('fuzzing ids, bodies, headers and content types', () => {
  const api = useTestApi({ patients: ['fuzz-base'] });

  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 60,
  });
  const id = fc.oneof(
    fc.string({ maxLength: 80 }).map(encodeURIComponent),
    fc.constantFrom(
      '%',
      '%E0%A4%A',
      '%00',
      '..%2F..%2Fetc',
      '%2e%2e',
      'a%2Fb',
      '%C0%AF',
      'x'.repeat(70),
      'fuzz-base',
    ),
  );
  const contentType = fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded; charset=utf-16',
      'text/plain',
      'multipart/form-data; boundary=xyz',
      'application/merge-patch+json',
      'application/xml',
    ),
    printable,
  );
  const fieldValue = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(...Object.values(SEED_FIELDS)),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const jsonBody = fc.oneof(
    fc
      .dictionary(
        fc.constantFrom(...Object.keys(SEED_FIELDS), '__proto__', 'constructor', 'extra'),
        fieldValue,
      )
      .map((o) => JSON.stringify({ ...SEED_FIELDS, ...o })),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
  );
  const formBody = fc.oneof(
    fc
      .dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 }))
      .map((o) => new URLSearchParams(o).toString()),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('a[b]=c&a[c]=d', 'fname=%', '%%%', '&&&=', 'fname=Jane&fname=Joan'),
  );
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
  const path = fc.oneof(
    id.map((i) => `/patient/${i}`),
    id.map((i) => `/score/${i}`),
    fc
      .tuple(printable, printable)
      .map(([l, c]) => `/patients?limit=${encodeURIComponent(l)}&cursor=${encodeURIComponent(c)}`),
    fc.constantFrom(
      '/patients?limit=1&limit=2',
      '/patients?cursor[a]=b',
      '/',
      '/patient',
      '/patient/',
      '/docs',
    ),
  );

  const seen: Record<number, number> = {};
  it('answers every request below 500 and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        contentType,
        fc.oneof(jsonBody, formBody),
        fc.option(printable),
        async (m, p, type, body, ifMatch) => {
          const headers: Record<string, string> = { 'content-type': type };
          if (ifMatch !== null) headers['if-match'] = ifMatch;
          const res = await api.client.request(m, p, {
            body: m === 'GET' || m === 'HEAD' ? undefined : body,
            headers,
          });
          seen[res.status] = (seen[res.status] ?? 0) + 1;
          if (res.status >= 500)
            throw new Error(`${m} ${p} (${type}) answered ${res.status}: ${res.text}`);
          if (res.status >= 400 && m !== 'HEAD') {
            expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
          }
        },
      ),
      { numRuns: 400, seed: 20261129 },
    );
    expect((await api.client.get('/patient/fuzz-base')).status).toBe(200);
    // The inputs reached the handlers, not only the router: each kind of answer occurred.
    expect(Object.keys(seen).map(Number)).toEqual(expect.arrayContaining([200, 400, 404, 415]));
  });

  it('answers headers of any shape below 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        printable,
        printable,
        printable,
        async (authorization, requestId, accept) => {
          const res = await api.anonymous.get('/patient/fuzz-base', {
            headers: { authorization, 'x-request-id': requestId, accept },
          });
          expect(res.status).toBeLessThan(500);
          const echoed = String(res.headers['x-request-id']);
          expect(echoed.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});
