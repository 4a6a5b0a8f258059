import { eventually } from '@test/support/eventually';
import { fixture } from '@test/support/fixture';
import { startIdpServer } from '@test/support/jwks-server';
import { useTestApi } from '@test/support/test-api';
import { makeSigner, signToken, type TestSigner } from '@test/support/tokens';

const ISSUER = 'https://idp.example';
const AUDIENCE = 'patients-api';
const claims = { iss: ISSUER, aud: AUDIENCE, scope: 'patients:read' };

type Mode = 'ok' | 'error' | 'hang';

interface FlakyIdp {
  /** From now on the JWKS endpoint answers the key set, a 500, or never. */
  answer(mode: Mode): void;
  /** Requests the endpoint received. */
  fetches: number;
  /** Whose public key the set holds. */
  signer: TestSigner;
  env: Record<string, string>;
}

/** An identity provider's JWKS endpoint over loopback HTTPS (its own CA) that can fail. */
function useFlakyIdp(initial: Mode): FlakyIdp {
  return fixture('useFlakyIdp', async (teardown) => {
    let mode = initial;
    const idp: FlakyIdp = {
      answer: (next) => {
        mode = next;
      },
      fetches: 0,
      signer: await makeSigner('idp-key-1'),
      env: {},
    };
    // A hung answer is never ended: the server's teardown closes its connection.
    const endpoint = await startIdpServer(teardown, (_req, res) => {
      idp.fetches++;
      if (mode === 'hang') return;
      if (mode === 'error') {
        res.statusCode = 500;
        res.end('{"error":"server_error"}');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [idp.signer.publicJwk] }));
    });
    idp.env = { ...endpoint, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE };
    return idp;
  });
}

/** A token under a kid the IdP never published, as a scanner or attacker would send. */
async function randomKidToken(): Promise<string> {
  return signToken(await makeSigner(`random-${Math.random().toString(36).slice(2)}`), claims);
}

describe('JWKS endpoint answering 500', () => {
  const idp = useFlakyIdp('error');
  const api = useTestApi({ logs: true, env: () => ({ ...idp.env, AUTH_JWKS_COOLDOWN_S: '30' }) });
  const get = (token: string) =>
    api.anonymous.get('/patient/none', { headers: { authorization: `Bearer ${token}` } });

  it('fetches once for ten random-kid tokens, answers each 503 and audits it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await get(await randomKidToken());
      statuses.push(res.status);
    }
    expect(statuses).toEqual(Array(10).fill(503));
    expect(idp.fetches).toBe(1);

    const audited = await eventually(
      async () =>
        api.logs
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((entry) => entry.audit === true && entry.action === 'patient.read'),
      (found) => found.length >= 10,
    );
    expect(audited.map((entry) => entry.outcome)).toEqual(Array(10).fill('unavailable'));
  });

  it('answers 503 with Retry-After, and does not fetch for the trusted kid either', async () => {
    const res = await get(await signToken(idp.signer, claims));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.json()).toMatchObject({ status: 503, detail: expect.stringMatching(/keys/) });
    expect(idp.fetches).toBe(1);
  });
});

describe('JWKS endpoint hanging', () => {
  const idp = useFlakyIdp('hang');
  const api = useTestApi({
    env: () => ({ ...idp.env, AUTH_JWKS_COOLDOWN_S: '30', AUTH_JWKS_TIMEOUT_MS: '1000' }),
  });
  const get = (token: string) =>
    api.anonymous.get('/patient/none', { headers: { authorization: `Bearer ${token}` } });

  it('answers requests made during the hang with 503, from one fetch, then 503 at once', async () => {
    const first = get(await randomKidToken());
    // The API's fetch has reached the IdP and hangs there; these arrive meanwhile.
    await eventually(
      async () => idp.fetches,
      (n) => n > 0,
    );
    const during = await Promise.all([1, 2, 3].map(async () => get(await randomKidToken())));
    expect([(await first).status, ...during.map((r) => r.status)]).toEqual([503, 503, 503, 503]);

    // In the cooldown after the timed-out fetch: no new fetch.
    for (let i = 0; i < 5; i++) expect((await get(await randomKidToken())).status).toBe(503);
    expect(idp.fetches).toBe(1);
  });
});

describe('JWKS endpoint coming back', () => {
  const idp = useFlakyIdp('error');
  const api = useTestApi({ env: () => ({ ...idp.env, AUTH_JWKS_COOLDOWN_S: '1' }) });
  const get = (token: string) =>
    api.anonymous.get('/patient/none', { headers: { authorization: `Bearer ${token}` } });

  it('fetches again once the cooldown has passed, and keeps a good set through failures', async () => {
    const trusted = await signToken(idp.signer, claims);
    expect((await get(trusted)).status).toBe(503);
    expect(idp.fetches).toBe(1);

    idp.answer('ok');
    // Polled every 100 ms: only the first call after the 1 s cooldown fetches.
    const back = await eventually(
      () => get(trusted),
      (res) => res.status === 404,
    );
    expect(back.status).toBe(404);
    expect(idp.fetches).toBe(2);

    // The IdP fails again: a new kid cannot be checked (503) ...
    idp.answer('error');
    const unknown = await eventually(
      async () => get(await randomKidToken()),
      (res) => res.status === 503,
    );
    expect(unknown.status).toBe(503);
    expect(idp.fetches).toBe(3);
    // ... while the keys already fetched go on verifying tokens (a new one: not from the cache).
    expect((await get(await signToken(idp.signer, claims))).status).toBe(404);
  });
});
