import { useTestApi } from '@test/support/test-api';

const LIMIT = 6;

/** One budget per client across every route, public ones included, shared by replicas. */
describe('rate limits (Redis)', () => {
  const api = useTestApi({
    redis: true,
    direct: true,
    env: { RATE_LIMIT_PER_MINUTE: String(LIMIT) },
  });

  const as = async (subject: string) =>
    api.anonymous.with({ authorization: `Bearer ${await api.token({ subject })}` });

  it('counts every route against one budget per token subject', async () => {
    const alice = await as('alice');
    const paths = ['/patient/x', '/patient/x', '/score/x', '/score/x', '/patients', '/patients'];
    const statuses = [];
    for (const path of paths) statuses.push((await alice.get(path)).status);
    expect(statuses).not.toContain(429);
    const limited = await alice.get('/patient/y');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('gives another subject a budget of its own', async () => {
    const bob = await as('bob');
    expect((await bob.get('/patient/x')).status).toBe(404);
  });

  it('counts public routes and unauthenticated calls per client address', async () => {
    const statuses = [];
    for (let i = 0; i < LIMIT; i++) {
      const path = ['/health/live', '/attestation?nonce=' + '00'.repeat(16), '/patient/x'][i % 3];
      statuses.push((await api.anonymous.get(path)).status);
    }
    expect(statuses).not.toContain(429);
    expect((await api.anonymous.get('/health/ready')).status).toBe(429);
  });

  it('shares the counts between replicas through Redis', async () => {
    const replica = await api.start();
    const carol = await as('carol');
    const carolOnReplica = replica.anonymous.with({
      authorization: `Bearer ${await api.token({ subject: 'carol' })}`,
    });
    const statuses = [];
    for (let i = 0; i < LIMIT; i++) {
      statuses.push((await (i % 2 ? carol : carolOnReplica).get('/patient/x')).status);
    }
    expect(statuses).not.toContain(429);
    expect((await carolOnReplica.get('/patient/x')).status).toBe(429);
    expect((await carol.get('/patient/x')).status).toBe(429);
  });

  it('sends its counting script to Redis once per connection, then only its digest', async () => {
    const dave = await as('dave');
    // The first count on the connection sends the script (EVAL); so do the first record reads.
    expect((await dave.get('/patient/x')).status).toBe(404);
    await api.direct.call('CONFIG', 'RESETSTAT');
    const erin = await as('erin');
    for (let i = 0; i < 3; i++) expect((await erin.get('/patient/x')).status).toBe(404);
    const stats = String(await api.direct.call('INFO', 'commandstats'));
    const calls = (name: string) =>
      Number(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
    expect(calls('eval')).toBe(0);
    expect(calls('evalsha')).toBeGreaterThanOrEqual(3);
  });

  it('still counts after Redis forgets its scripts (NOSCRIPT: the script is sent again)', async () => {
    const frank = await as('frank');
    expect((await frank.get('/patient/x')).status).toBe(404);
    await api.direct.call('SCRIPT', 'FLUSH');
    const statuses = [];
    for (let i = 1; i < LIMIT; i++) statuses.push((await frank.get('/patient/x')).status);
    expect(statuses).not.toContain(429);
    expect((await frank.get('/patient/x')).status).toBe(429);
  });
});
