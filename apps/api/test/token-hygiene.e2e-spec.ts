import { decodeProtectedHeader } from 'jose';
import { connect } from 'node:tls';
import type { HttpResult } from '@test/support/https-client';
import { useTestApi } from '@test/support/test-api';
import { signClaims, signToken } from '@test/support/tokens';

const ISSUER = 'urn:patient-api:dev';
const AUDIENCE = 'patient-api';
/** No such patient: a token that passes reaches the route, which answers 404. */
const PATH = '/patient/hygiene-none';
const PASSED = 404;

/** RFC 8725 (JWT best practices) and RFC 9068 (JWT access tokens), over HTTPS, dev-key-signed. */
describe('token hygiene', () => {
  const api = useTestApi();
  const dev = () => ({ privateJwk: api.secrets.signingKey });
  const now = () => Math.floor(Date.now() / 1000);
  /** Claims that pass, to spoil one at a time. */
  const claims = (): Record<string, unknown> => ({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'clinician-1',
    scope: 'patients:read',
    tenant: 'dev-clinic',
    iat: now() - 5,
    exp: now() + 600,
  });
  /** The same, for signToken. */
  const base = () => ({ iss: ISSUER, aud: AUDIENCE, scope: 'patients:read' });
  const get = (authorization: string, client = api.anonymous) =>
    client.get(PATH, { headers: { authorization } });
  const status = async (token: string) => (await get(`Bearer ${token}`)).status;

  function expect401(res: HttpResult): string {
    expect(res.status).toBe(401);
    expect(String(res.headers['www-authenticate'])).toMatch(/error="invalid_token"/);
    return res.json().detail as string;
  }

  describe('typ (RFC 8725 §3.11, RFC 9068 §4)', () => {
    it.each(['at+jwt', 'application/at+jwt', 'AT+JWT', 'Application/At+Jwt', 'JWT', 'jwt'])(
      'accepts typ %j (media types compare case-insensitively, application/ optional)',
      async (typ) => {
        expect(await status(await signClaims(dev(), claims(), { typ }))).toBe(PASSED);
      },
    );

    it.each(['secevent+jwt', 'logout+jwt', 'dpop+jwt', 'JOSE', 'application/example+jwt', ''])(
      'refuses typ %j (another kind of JWT, e.g. an ID or logout token)',
      async (typ) => {
        const token = await signClaims(dev(), claims(), { typ });
        expect(expect401(await get(`Bearer ${token}`))).toMatch(/"typ"/);
      },
    );

    it('refuses a token without typ (RFC 9068 §4: it must say it is an access token)', async () => {
      const token = await signClaims(dev(), claims(), { typ: null });
      expect(expect401(await get(`Bearer ${token}`))).toMatch(/"typ"/);
    });

    it('takes the accepted types from AUTH_TOKEN_TYPES; dev tokens say at+jwt', async () => {
      const strict = await api.start({ AUTH_TOKEN_TYPES: 'Application/AT+JWT' });
      const jwt = await signClaims(dev(), claims(), { typ: 'JWT' });
      expect(expect401(await get(`Bearer ${jwt}`, strict.anonymous))).toMatch(/"typ"/);
      const atJwt = await signClaims(dev(), claims(), { typ: 'at+jwt' });
      expect((await get(`Bearer ${atJwt}`, strict.anonymous)).status).toBe(PASSED);

      const devToken = await strict.token({ scopes: ['patients:read'] });
      expect(decodeProtectedHeader(devToken).typ).toBe('at+jwt');
      expect((await get(`Bearer ${devToken}`, strict.anonymous)).status).toBe(PASSED);
    });
  });

  describe('age (iat, exp)', () => {
    it('refuses iat a year in the future', async () => {
      const iat = now() + 365 * 86400;
      const token = await signClaims(dev(), { ...claims(), iat, exp: iat + 600 });
      expect(expect401(await get(`Bearer ${token}`))).toMatch(/"iat"/);
    });

    it('refuses iat in the future beyond the clock skew (30 s), accepts it within', async () => {
      expect(await status(await signToken(dev(), { ...base(), iatIn: 120 }))).toBe(401);
      expect(await status(await signToken(dev(), { ...base(), iatIn: 10 }))).toBe(PASSED);
    });

    it('refuses a token issued more than AUTH_MAX_TOKEN_AGE_S (86400) ago, though not expired', async () => {
      const token = await signToken(dev(), { ...base(), iatIn: -86400 - 120, expIn: 600 });
      expect(expect401(await get(`Bearer ${token}`))).toMatch(/too old|"iat"|"exp"/);
    });

    it('refuses a token without iat (RFC 9068 §2.2)', async () => {
      const { iat: _iat, ...withoutIat } = claims();
      expect(expect401(await get(`Bearer ${await signClaims(dev(), withoutIat)}`))).toMatch(
        /"iat"/,
      );
    });

    it.each([
      ['1e400 (Infinity once parsed)', '1e400'],
      ['1e300', '1e300'],
      ['beyond iat + AUTH_MAX_TOKEN_AGE_S', 'LONG'],
    ])('refuses exp %s', async (_label, exp) => {
      const { exp: _exp, ...rest } = claims();
      const iat = Number(rest.iat);
      const value = exp === 'LONG' ? String(iat + 2 * 86400) : exp;
      const text = `${JSON.stringify(rest).slice(0, -1)},"exp":${value}}`;
      expect(expect401(await get(`Bearer ${await signClaims(dev(), text)}`))).toMatch(/"exp"/);
    });

    it('honours AUTH_MAX_TOKEN_AGE_S', async () => {
      const short = await api.start({ AUTH_MAX_TOKEN_AGE_S: '600' });
      const at = (iatIn: number, expIn: number) =>
        signToken(dev(), { ...base(), iatIn, expIn }).then((t) =>
          get(`Bearer ${t}`, short.anonymous),
        );
      expect((await at(-5, 500)).status).toBe(PASSED);
      expect((await at(-700, 60)).status).toBe(401);
      expect((await at(-5, 3600)).status).toBe(401);
    });
  });

  describe('sub (the audit actor)', () => {
    it.each([
      ['a number', 12345],
      ['null', null],
      ['empty', ''],
      ['an array', ['clinician-1']],
      ['256 characters', 'x'.repeat(256)],
    ])('refuses sub that is %s', async (_label, sub) => {
      const token = await signClaims(dev(), { ...claims(), sub });
      expect(expect401(await get(`Bearer ${token}`))).toMatch(/"sub"/);
    });

    it('accepts sub of 255 characters', async () => {
      expect(await status(await signClaims(dev(), { ...claims(), sub: 'x'.repeat(255) }))).toBe(
        PASSED,
      );
    });

    it('refuses a token without sub', async () => {
      const { sub: _sub, ...withoutSub } = claims();
      expect(expect401(await get(`Bearer ${await signClaims(dev(), withoutSub)}`))).toMatch(
        /"sub"/,
      );
    });
  });

  describe('the Authorization header', () => {
    it.each(['bearer', 'BEARER', 'bEaReR'])(
      'accepts the scheme %j (RFC 9110 §11.1: case-insensitive)',
      async (scheme) => {
        const token = await signToken(dev(), base());
        expect((await get(`${scheme} ${token}`)).status).toBe(PASSED);
      },
    );

    it('refuses two Authorization headers, whatever each holds', async () => {
      const token = await signToken(dev(), base());
      for (const second of [`Bearer ${token}`, 'Basic dXNlcjpwYXNz', 'Bearer x.y.z']) {
        const res = await rawGet(PATH, [`Bearer ${token}`, second]);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      }
      // One of them alone is fine.
      expect((await rawGet(PATH, [`Bearer ${token}`])).status).toBe(PASSED);
    });
  });

  /**
   * A GET written by hand over TLS: HTTP clients (Node's included) cannot send one header twice.
   * Node's server keeps only the first Authorization header in `req.headers`.
   */
  function rawGet(
    path: string,
    authorizations: string[],
  ): Promise<{ status: number; headers: Record<string, string> }> {
    const url = new URL(api.url);
    return new Promise((resolve, reject) => {
      const socket = connect(
        { host: url.hostname, port: Number(url.port), ca: api.secrets.apiCa },
        () => {
          const lines = [
            `GET ${path} HTTP/1.1`,
            `Host: ${url.host}`,
            ...authorizations.map((value) => `Authorization: ${value}`),
            'Connection: close',
          ];
          socket.write(`${lines.join('\r\n')}\r\n\r\n`);
        },
      );
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('end', () => {
        const [head] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
        const [statusLine, ...headerLines] = head.split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of headerLines) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        resolve({ status: Number(statusLine.split(' ')[1]), headers });
      });
    });
  }
});
