import { startTestApi } from '@test/support/api';
import { seedWith } from '@test/support/seed';
import { useApiProcess } from '@test/support/test-api';
import type { HttpsClient } from '@test/support/https-client';

/** Every event id of the clinic's trail, read page by page through GET /audit. */
async function trailRequestIds(client: HttpsClient): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${cursor}`;
    const page = (await client.get(`/audit?limit=500${query}`)).json() as {
      items: Array<{ event: { requestId: string } }>;
      nextCursor: string | null;
    };
    for (const item of page.items) ids.add(item.event.requestId);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

describe('kill -9 under load (the built API, AUDIT_DURABILITY=sync)', () => {
  const api = useApiProcess({ redis: { appendonly: true } });

  it('every request answered 200 or 204 has its audit event in the store: 0 missing', async () => {
    await api.client.post('/patient/kill-base', { json: seedWith({}) });
    const answered: string[] = [];
    let stop = false;
    const worker = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const write = i % 5 === 0;
        const res = await (
          write
            ? api.client.post(`/patient/kill-${n}-${i}`, { json: seedWith({}) })
            : api.client.get('/patient/kill-base')
        ).catch(() => null);
        if (res && res.status < 300) answered.push(String(res.headers['x-request-id']));
      }
    };
    const workers = Array.from({ length: 8 }, (_, n) => worker(n));
    while (answered.length < 400) await new Promise((done) => setTimeout(done, 20));
    api.process.signal('SIGKILL');
    stop = true;
    await Promise.all(workers);
    expect(await api.process.waitForExit(5000)).toBeNull();

    // Read the trail back through a new API on the same Redis and keys.
    const reader = await startTestApi(api.secrets, api.redis.env());
    try {
      const stored = await trailRequestIds(reader.client);
      const missing = answered.filter((id) => !stored.has(id));
      process.stdout.write(`kill -9: ${answered.length} answered, ${missing.length} missing\n`);
      expect(missing).toEqual([]);
    } finally {
      await reader.stop();
    }
  });
});
