import { SEED_FIELDS, seedWith } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';

/** Update with optimistic concurrency, erasure and paginated listing, against a TLS Redis. */
describe('the patient lifecycle', () => {
  const api = useTestApi({ redis: true, direct: true });

  const put = (id: string, fields: Record<string, string>, ifMatch?: string) =>
    api.client.request('PUT', `/patient/${id}`, {
      json: fields,
      headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
    });

  describe('PUT /patient/{id}', () => {
    it('replaces the fields, re-scores, and moves the ETag on', async () => {
      await api.client.post('/patient/u-1', { form: SEED_FIELDS });
      const res = await put(
        'u-1',
        seedWith({ city: 'Seattle', preexistingconditions: 'metastatic lung cancer' }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.json()).toMatchObject({ id: 'u-1', city: 'Seattle' });
      // Metastatic solid tumour scores 6: 1 - 0.983^(e^5.4).
      expect(res.json().score).toBeCloseTo(1 - Math.pow(0.983, Math.exp(0.9 * 6)), 10);
      const read = await api.client.get('/patient/u-1');
      expect(read.json()).toEqual(res.json());
      expect(read.headers.etag).toBe('"2"');
      expect((await api.client.get('/score/u-1')).json().cci).toBe(6);
    });

    it('accepts form bodies too', async () => {
      await api.client.post('/patient/u-form', { form: SEED_FIELDS });
      const res = await api.client.request('PUT', '/patient/u-form', {
        form: seedWith({ lname: 'Roe' }),
      });
      expect(res.status).toBe(200);
      expect(res.json().lname).toBe('Roe');
    });

    it('never creates: 404 for an unknown id', async () => {
      const res = await put('u-none', SEED_FIELDS);
      expect(res.status).toBe(404);
      expect((await api.client.get('/patient/u-none')).status).toBe(404);
    });

    it('validates like create, naming the field, and changes nothing', async () => {
      await api.client.post('/patient/u-bad', { form: SEED_FIELDS });
      const res = await put('u-bad', seedWith({ dob: '13/45/2010' }));
      expect(res.status).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['dob']);
      expect((await api.client.get('/patient/u-bad')).headers.etag).toBe('"1"');
    });

    it('with a current If-Match replaces; with a stale one answers 412 and keeps the newer record', async () => {
      await api.client.post('/patient/u-etag', { form: SEED_FIELDS });
      expect((await put('u-etag', seedWith({ fname: 'Second' }), '"1"')).status).toBe(200);
      const stale = await put('u-etag', seedWith({ fname: 'Lost update' }), '"1"');
      expect(stale.status).toBe(412);
      expect(stale.headers['content-type']).toMatch(/problem\+json/);
      expect((await api.client.get('/patient/u-etag')).json().fname).toBe('Second');
      expect((await put('u-etag', seedWith({ fname: 'Any' }), '*')).status).toBe(200);
    });

    it('answers 400 naming If-Match for a header that is not an ETag', async () => {
      await api.client.post('/patient/u-hdr', { form: SEED_FIELDS });
      for (const header of ['1', 'W/"1"', '"x"']) {
        const res = await put('u-hdr', SEED_FIELDS, header);
        expect(res.status).toBe(400);
        expect(res.json().errors).toEqual([{ field: 'If-Match', message: expect.any(String) }]);
      }
    });

    it('lets exactly one of many concurrent PUTs with the same If-Match win; the others get 412', async () => {
      await api.client.post('/patient/u-race', { form: SEED_FIELDS });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          put('u-race', seedWith({ fname: `Writer${i}` }), '"1"'),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 412)).toHaveLength(11);
      const winner = results.find((r) => r.status === 200)!.json().fname;
      const read = await api.client.get('/patient/u-race');
      expect(read.json().fname).toBe(winner);
      expect(read.headers.etag).toBe('"2"');
    });
  });

  describe('DELETE /patient/{id}', () => {
    it('erases the record: 204, then 404, and nothing in Redis but the audit trail mentions the id', async () => {
      const id = 'erase-me-7f3a';
      await api.client.post(`/patient/${id}`, { form: SEED_FIELDS });
      const res = await api.client.request('DELETE', `/patient/${id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await api.client.get(`/patient/${id}`)).status).toBe(404);
      expect((await api.client.get(`/score/${id}`)).status).toBe(404);
      expect((await api.client.request('DELETE', `/patient/${id}`)).status).toBe(404);

      const mentions: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await api.direct.scan(cursor, 'COUNT', '1000');
        cursor = next;
        for (const key of keys) {
          // The audit trail keeps who did what to the id, never the record (docs/operations.md).
          if (key.startsWith('audit:')) continue;
          if (key.includes(id)) mentions.push(`key ${key}`);
          const type = await api.direct.type(key);
          const values =
            type === 'string'
              ? [(await api.direct.get(key)) ?? '']
              : type === 'zset'
                ? await api.direct.zrange(key, '0', '-1')
                : type === 'hash'
                  ? Object.entries(await api.direct.hgetall(key)).flat()
                  : type === 'set'
                    ? await api.direct.smembers(key)
                    : type === 'list'
                      ? await api.direct.lrange(key, '0', '-1')
                      : [];
          if (values.some((v) => v.includes(id))) mentions.push(`value of ${key}`);
        }
      } while (cursor !== '0');
      expect(mentions).toEqual([]);
    });
  });

  describe('GET /patients', () => {
    const pageIds = async (limit: number, between?: (page: number) => Promise<void>) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let page = 0;
      do {
        const query = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await api.client.get(`/patients?${query}`);
        expect(res.status).toBe(200);
        const body = res.json();
        expect(body.items.length).toBeLessThanOrEqual(limit);
        seen.push(...body.items.map((p: { id: string }) => p.id));
        cursor = body.nextCursor;
        await between?.(page++);
      } while (cursor);
      return seen;
    };

    it('pages through 1,000 patients, each exactly once, while others are created and deleted', async () => {
      await api.direct.flushall();
      const ids = Array.from({ length: 1000 }, (_, i) => `list-${String(i).padStart(4, '0')}`);
      const client = api.client;
      for (let i = 0; i < ids.length; i += 50) {
        const batch = ids
          .slice(i, i + 50)
          .map((id) => client.post(`/patient/${id}`, { json: SEED_FIELDS }));
        expect((await Promise.all(batch)).every((r) => r.status === 200)).toBe(true);
      }
      const all = await pageIds(7);
      expect(all).toEqual(ids);

      // Churn between pages: delete some not yet seen, create new ones before and after the cursor.
      const deleted = new Set<string>();
      const created: string[] = [];
      const seen = await pageIds(7, async (page) => {
        if (page % 10 !== 0) return;
        // Well ahead of the cursor, so not seen yet.
        const victim = ids[page * 7 + 50];
        if (victim && (await client.request('DELETE', `/patient/${victim}`)).status === 204) {
          deleted.add(victim);
        }
        for (const id of [`list-${String(page).padStart(4, '0')}a`, `list-zz-${page}`]) {
          if ((await client.post(`/patient/${id}`, { json: SEED_FIELDS })).status === 200)
            created.push(id);
        }
      });
      const stayed = ids.filter((id) => !deleted.has(id));
      expect(deleted.size).toBeGreaterThan(5);
      expect(new Set(seen).size).toBe(seen.length); // nothing repeated
      expect(stayed.filter((id) => !seen.includes(id))).toEqual([]); // nothing skipped
      expect(seen.filter((id) => deleted.has(id))).toEqual([]);
      expect(created.length).toBeGreaterThan(0);
    });

    it('answers id, names and score only', async () => {
      const res = await api.client.get('/patients?limit=1');
      expect(Object.keys(res.json().items[0]).sort()).toEqual(['fname', 'id', 'lname', 'score']);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['cursor=%25%25', 'cursor'],
      ['sort=name', 'sort'],
    ])('answers 400 naming the parameter for %s', async (query, field) => {
      const res = await api.client.get(`/patients?${query}`);
      expect(res.status).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });
});
