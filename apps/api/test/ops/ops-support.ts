import type { DevSecrets } from '@test/support/dev-secrets';
import { testEnv } from '@test/support/api';
import type { HttpsClient } from '@test/support/https-client';
import { seedWith } from '@test/support/seed';

// For the suites that still open their own set-up; the fixtures are in test/support.
export { apiBundle } from '@test/support/api-process';
export { eventually, sleep } from '@test/support/eventually';

/** Settings every ops test wants: quiet logs, no rate limit (the tests make load). */
export function opsEnv(secrets: DevSecrets): Record<string, string> {
  return testEnv(secrets);
}

/** The record a test stores under `id`: the seed, with a last name derived from the id. */
export function recordFor(id: string): Record<string, string> {
  return seedWith({ lname: lastNameFor(id) });
}

export function lastNameFor(id: string): string {
  return `L${id.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** Every page of GET /patients, in order. */
export async function listAll(client: HttpsClient, limit = 7): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const res = await client.get(`/patients?limit=${limit}${query}`);
    if (res.status !== 200) throw new Error(`GET /patients answered ${res.status}: ${res.text}`);
    const page = res.json() as { items: Array<{ id: string }>; nextCursor: string | null };
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

/**
 * Every endpoint once over: create `count` records, read, score, replace, erase one, list.
 * Returns the ids that remain.
 */
export async function exerciseEveryEndpoint(
  client: HttpsClient,
  prefix: string,
  count: number,
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);
  const created = await Promise.all(
    ids.map((id) => client.post(`/patient/${id}`, { form: recordFor(id) })),
  );
  expect(created.map((res) => res.status)).toEqual(ids.map(() => 200));
  expect((await client.post(`/patient/${ids[0]}`, { form: recordFor(ids[0]) })).status).toBe(409);

  for (const id of ids) {
    const read = await client.get(`/patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.json()).toMatchObject({ id, lname: lastNameFor(id) });
  }
  const score = await client.get(`/score/${ids[1]}`);
  expect(score.status).toBe(200);
  expect(score.json()).toMatchObject({ id: ids[1], cci: 2 });

  const before = await client.get(`/patient/${ids[2]}`);
  const replaced = await client.put(`/patient/${ids[2]}`, {
    form: { ...recordFor(ids[2]), city: 'Tacoma' },
    headers: { 'if-match': String(before.headers.etag) },
  });
  expect(replaced.status).toBe(200);
  const reread = (await client.get(`/patient/${ids[2]}`)).json() as { city: string };
  expect(reread.city).toBe('Tacoma');

  expect((await client.delete(`/patient/${ids[3]}`)).status).toBe(204);
  expect((await client.get(`/patient/${ids[3]}`)).status).toBe(404);

  const remaining = ids.filter((id) => id !== ids[3]);
  const listed = await listAll(client);
  expect(listed.filter((id) => id.startsWith(`${prefix}-`))).toEqual(remaining);
  return remaining;
}
