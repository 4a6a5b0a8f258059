import { SECRET_FILES } from '@app/secrets';
import type { TestApi } from '@test/support/api';
import { readSecret } from '@test/support/dev-secrets';
import { useJwksServer } from '@test/support/jwks-server';
import { SEED_FIELDS } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';
import {
  hmacWithPublicKey,
  makeSigner,
  signToken,
  tamper,
  unsignedToken,
} from '@test/support/tokens';

const ISSUER = 'urn:patient-api:dev';
const AUDIENCE = 'patient-api';
const ALL = 'patients:read patients:write patients:delete scores:read';

describe('authentication and scopes (tokens signed with the dev key)', () => {
  const api = useTestApi({ patients: ['auth-1'] });
  /** The dev key the API trusts, as a signer of hand-made tokens. */
  const dev = () => ({ privateJwk: api.secrets.signingKey });
  const devKid = () => String(api.secrets.signingKey.kid);

  const get = (authorization?: string) =>
    api.anonymous.get('/patient/auth-1', {
      headers: authorization === undefined ? {} : { authorization },
    });

  function expect401(res: { status: number; headers: Record<string, unknown>; json(): any }) {
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(String(res.headers['www-authenticate'])).toMatch(/^Bearer realm="patient-api"/);
    expect(res.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    return res.json().detail as string;
  }

  it('answers 401 with WWW-Authenticate: Bearer when there is no token', async () => {
    expect(expect401(await get())).toMatch(/needs a bearer token/);
  });

  it.each([
    'Basic dXNlcjpwYXNz',
    'Bearer',
    'Bearer not-a-jwt',
    'bearer a.b.c d',
    'Token abc.def.ghi',
  ])('answers 401 for the malformed header %j', async (header) => {
    expect401(await get(header));
  });

  it.each([
    ['an expired token', { expIn: -3600 }, /expired/],
    ['a token not valid yet', { nbfIn: 3600 }, /not valid yet/],
    ['a wrong issuer', { iss: 'https://evil.example' }, /"iss"/],
    ['a wrong audience', { aud: 'another-api' }, /"aud"/],
  ])('answers 401 for %s', async (_label, claims, reason) => {
    const token = await signToken(dev(), { iss: ISSUER, aud: AUDIENCE, scope: ALL, ...claims });
    expect(expect401(await get(`Bearer ${token}`))).toMatch(reason);
  });

  it('accepts a token a little past expiry (clock skew), not one far past it', async () => {
    const justExpired = await signToken(dev(), {
      iss: ISSUER,
      aud: AUDIENCE,
      scope: ALL,
      expIn: -5,
    });
    expect((await get(`Bearer ${justExpired}`)).status).toBe(200);
  });

  it('answers 401 for a token signed by a key it does not know', async () => {
    const stranger = await makeSigner('unknown-kid');
    const token = await signToken(stranger, { iss: ISSUER, aud: AUDIENCE, scope: ALL });
    expect(expect401(await get(`Bearer ${token}`))).toMatch(/unknown key/);
  });

  it('answers 401 for a token signed by another key under the trusted kid', async () => {
    const stranger = await makeSigner(devKid());
    const token = await signToken(stranger, { iss: ISSUER, aud: AUDIENCE, scope: ALL });
    expect(expect401(await get(`Bearer ${token}`))).toMatch(/signature/);
  });

  it('answers 401 for a tampered payload', async () => {
    const token = await signToken(dev(), { iss: ISSUER, aud: AUDIENCE, scope: 'scores:read' });
    expect(expect401(await get(`Bearer ${tamper(token, { scope: ALL })}`))).toMatch(/signature/);
  });

  it('answers 401 for alg: none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsignedToken({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'x',
      scope: ALL,
      exp: now + 600,
    });
    expect401(await get(`Bearer ${token}`));
  });

  it('answers 401 for HS256 signed with the public key (algorithm confusion)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jwks = await readSecret(api.secrets, SECRET_FILES.jwtJwks);
    const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'x', scope: ALL, exp: now + 600 };
    for (const secret of [jwks, JSON.stringify(JSON.parse(jwks).keys[0])]) {
      expect(
        expect401(await get(`Bearer ${hmacWithPublicKey(payload, secret, devKid())}`)),
      ).toMatch(/algorithm/);
    }
  });

  it('answers 403 naming the scope for a valid token without it', async () => {
    const token = await signToken(dev(), { iss: ISSUER, aud: AUDIENCE, scope: 'scores:read' });
    const res = await get(`Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(
      /error="insufficient_scope", scope="patients:read"/,
    );
    expect(res.json()).toMatchObject({
      status: 403,
      detail: expect.stringContaining('patients:read'),
    });
  });

  describe('each scope opens exactly its calls', () => {
    const calls = {
      'POST /patient/{id}': (c: TestApi['client'], id: string) =>
        c.post(`/patient/${id}`, { form: SEED_FIELDS }),
      'GET /patient/{id}': (c: TestApi['client']) => c.get('/patient/auth-1'),
      'PUT /patient/{id}': (c: TestApi['client']) =>
        c.request('PUT', '/patient/auth-1', { form: SEED_FIELDS }),
      'GET /patients': (c: TestApi['client']) => c.get('/patients'),
      'GET /score/{id}': (c: TestApi['client']) => c.get('/score/auth-1'),
      'DELETE /patient/{id}': (c: TestApi['client'], id: string) =>
        c.request('DELETE', `/patient/${id}`),
    } as const;
    const allowed: Record<string, Array<keyof typeof calls>> = {
      'patients:read': ['GET /patient/{id}', 'GET /patients'],
      'patients:write': ['POST /patient/{id}', 'PUT /patient/{id}'],
      'patients:delete': ['DELETE /patient/{id}'],
      'scores:read': ['GET /score/{id}'],
    };

    it.each(Object.keys(allowed))('%s', async (scope) => {
      const client = api.anonymous.with({
        authorization: `Bearer ${await api.token({ scopes: [scope] })}`,
      });
      const outcomes: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const [name, call] of Object.entries(calls)) {
        const id = `scope-${scope.replace(':', '-')}`;
        if (name === 'DELETE /patient/{id}')
          await api.client.post(`/patient/${id}`, { form: SEED_FIELDS });
        const { status } = await call(client, id);
        outcomes[name] =
          status === 200 || status === 204
            ? 'allowed'
            : status === 403
              ? 'forbidden'
              : String(status);
        expected[name] = allowed[scope].includes(name as keyof typeof calls)
          ? 'allowed'
          : 'forbidden';
      }
      expect(outcomes).toEqual(expected);
    });
  });

  it('reads scopes from an scp array too', async () => {
    const token = await signToken(dev(), {
      iss: ISSUER,
      aud: AUDIENCE,
      scp: ['patients:read'],
    });
    expect((await get(`Bearer ${token}`)).status).toBe(200);
  });
});

describe('keys from a JWKS URL', () => {
  const idp = useJwksServer('idp-key-1');
  const api = useTestApi({
    env: () => ({
      ...idp.env,
      AUTH_JWKS_COOLDOWN_S: '0',
      AUTH_ISSUER: 'https://idp.example',
      AUTH_AUDIENCE: 'patients-api',
    }),
  });

  const claims = { iss: 'https://idp.example', aud: 'patients-api', scope: 'patients:read' };

  it('verifies tokens with the published keys, caches them, and refetches for a new kid', async () => {
    const first = await signToken(idp.published[0], claims);
    expect(
      (await api.anonymous.get('/patient/none', { headers: { authorization: `Bearer ${first}` } }))
        .status,
    ).toBe(404);
    expect(
      (await api.anonymous.get('/patient/none', { headers: { authorization: `Bearer ${first}` } }))
        .status,
    ).toBe(404);
    expect(idp.fetches).toBe(1);

    // The IdP rotates: a new key appears; a token under it makes the API fetch the set again.
    idp.published.push(await makeSigner('idp-key-2'));
    const second = await signToken(idp.published[1], claims);
    expect(
      (await api.anonymous.get('/patient/none', { headers: { authorization: `Bearer ${second}` } }))
        .status,
    ).toBe(404);
    expect(idp.fetches).toBe(2);
  });

  it('does not trust the dev key when a JWKS URL is configured', async () => {
    const devToken = await api.token({ scopes: ['patients:read'] });
    expect(
      (
        await api.anonymous.get('/patient/none', {
          headers: { authorization: `Bearer ${devToken}` },
        })
      ).status,
    ).toBe(401);
  });
});

describe('AUTH_MODE=none', () => {
  const api = useTestApi({ env: { AUTH_MODE: 'none' } });

  it("keeps the original's open demo working without a token", async () => {
    expect((await api.anonymous.post('/patient/open', { form: SEED_FIELDS })).status).toBe(200);
    expect((await api.anonymous.get('/patient/open')).status).toBe(200);
    expect((await api.anonymous.get('/score/open')).status).toBe(200);
  });
});
