import { SignJWT, importJWK } from 'jose';
import { SEED_FIELDS, SEED_FORM_BODY } from '@test/support/seed';
import { eventually } from '@test/support/eventually';
import { useTestApi } from '@test/support/test-api';

interface AuditLine {
  audit: true;
  action: string;
  outcome: string;
  actor: string;
  patientIds: string[];
  requestId: string;
  clientRequestId?: string;
  clientAddress: string;
  userAgent?: string;
  clientId?: string;
  tokenId?: string;
  time: string;
  tenant: string;
}

/**
 * Every request to a route that names or lists patients yields exactly one audit event, whatever
 * its outcome, including requests refused before routing.
 */
describe('the audit trail is complete (memory storage)', () => {
  const api = useTestApi({ logs: true, env: { RATE_LIMIT_PER_MINUTE: '0' } });

  /** The audit lines of the requests whose answers carried these request ids. */
  function auditOf(requestId: string): AuditLine[] {
    return api.logs
      .map((line) => JSON.parse(line) as Partial<AuditLine>)
      .filter((line): line is AuditLine => line.audit === true && line.requestId === requestId);
  }

  async function expectOneEvent(
    res: { status: number; headers: Record<string, unknown> },
    expected: Partial<AuditLine>,
  ): Promise<AuditLine> {
    // The event is stored before the answer is sent (audit-trail.e2e, ops/audit-kill); its log
    // line, the request's one line, is written once the answer has ended.
    const events = await eventually(
      async () => auditOf(String(res.headers['x-request-id'])),
      (found) => found.length > 0,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject(expected);
    return events[0];
  }

  it('a success, with who, from where and with which client', async () => {
    await api.client.post('/patient/au-1', { form: SEED_FORM_BODY });
    const key = api.secrets.signingKey;
    const token = await new SignJWT({
      scope: 'patients:read',
      azp: 'ward-7-app',
      tenant: 'dev-clinic',
    })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid as string, typ: 'at+jwt' })
      .setSubject('nurse-jo')
      .setJti('token-42')
      .setIssuer(api.config.auth.issuer)
      .setAudience(api.config.auth.audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(key as Parameters<typeof importJWK>[0], 'ES256'));
    const res = await api.anonymous.get('/patient/au-1', {
      headers: {
        authorization: `Bearer ${token}`,
        'x-request-id': 'client-chosen-1',
        'user-agent': 'ward-7/1.0',
      },
    });
    expect(res.status).toBe(200);
    const event = await expectOneEvent(res, {
      action: 'patient.read',
      outcome: 'success',
      tenant: 'dev-clinic',
      actor: 'nurse-jo',
      clientId: 'ward-7-app',
      tokenId: 'token-42',
      patientIds: ['au-1'],
      clientRequestId: 'client-chosen-1',
      userAgent: 'ward-7/1.0',
      clientAddress: expect.stringMatching(/127\.0\.0\.1$/),
    });
    // The service's own id, not the client's.
    expect(event.requestId).not.toBe('client-chosen-1');
    expect(res.headers['x-request-id']).toBe(event.requestId);
  });

  it.each([
    ['a listing', 'GET', '/patients', undefined, 200, 'patient.list', 'success'],
    ['an unknown id', 'GET', '/patient/au-none', undefined, 404, 'patient.read', 'not_found'],
    ['an id taken', 'POST', '/patient/au-1', SEED_FIELDS, 409, 'patient.create', 'conflict'],
    ['an invalid body', 'POST', '/patient/au-2', { fname: 'x' }, 400, 'patient.create', 'invalid'],
    ['an invalid id', 'GET', '/patient/a%20b', undefined, 400, 'patient.read', 'invalid'],
    ['an undecodable id', 'GET', '/patient/%E0%A4%A', undefined, 400, 'patient.read', 'invalid'],
    ['a score', 'GET', '/score/au-1', undefined, 200, 'score.read', 'success'],
    ['an erasure', 'DELETE', '/patient/au-none', undefined, 404, 'patient.erase', 'not_found'],
  ])('%s', async (_label, method, path, json, status, action, outcome) => {
    const res = await api.client.request(method, path, json ? { json } : {});
    expect(res.status).toBe(status);
    await expectOneEvent(res, { action, outcome });
  });

  it('a stale If-Match (412)', async () => {
    await api.client.put('/patient/au-1', { json: SEED_FIELDS });
    const res = await api.client.put('/patient/au-1', {
      json: SEED_FIELDS,
      headers: { 'if-match': '"1"' },
    });
    expect(res.status).toBe(412);
    await expectOneEvent(res, { action: 'patient.replace', outcome: 'precondition_failed' });
  });

  it('requests refused before routing: malformed JSON, too large, wrong media type', async () => {
    const malformed = await api.client.post('/patient/au-3', {
      body: '{"fname":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    await expectOneEvent(malformed, { action: 'patient.create', outcome: 'invalid' });

    const large = await api.client.post('/patient/au-3', {
      body: JSON.stringify({ fname: 'x'.repeat(70_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(large.status).toBe(413);
    await expectOneEvent(large, { action: 'patient.create', outcome: 'too_large' });

    const media = await api.client.post('/patient/au-3', {
      body: 'fname=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(media.status).toBe(415);
    await expectOneEvent(media, { action: 'patient.create', outcome: 'unsupported_media_type' });
  });

  it('refusals by auth: no token (401), a bad one (401), a missing scope (403)', async () => {
    const none = await api.anonymous.get('/patient/au-1');
    expect(none.status).toBe(401);
    await expectOneEvent(none, { outcome: 'unauthenticated', actor: 'unauthenticated' });

    const bad = await api.anonymous.get('/patient/au-1', {
      headers: { authorization: 'Bearer a.b.c' },
    });
    expect(bad.status).toBe(401);
    await expectOneEvent(bad, { outcome: 'unauthenticated' });

    const scoped = api.anonymous.with({
      authorization: `Bearer ${await api.token({ scopes: ['scores:read'] })}`,
    });
    const forbidden = await scoped.get('/patient/au-1');
    expect(forbidden.status).toBe(403);
    await expectOneEvent(forbidden, { outcome: 'forbidden' });
  });

  it('writes nothing for routes that name no patient', async () => {
    const res = await api.anonymous.get('/openapi.json');
    expect(res.status).toBe(200);
    const requestId = String(res.headers['x-request-id']);
    // Its one line is the request line, not an audit line.
    const line = await eventually(
      async () =>
        api.logs
          .map((l) => JSON.parse(l) as { req?: { id?: string }; audit?: boolean; msg?: string })
          .find((l) => l.req?.id === requestId),
      (found) => found !== undefined,
    );
    expect(line).toMatchObject({ msg: 'request completed' });
    expect(line?.audit).toBeUndefined();
    expect(auditOf(requestId)).toEqual([]);
  });
});

describe('the audit trail records rate-limited requests (memory storage)', () => {
  const api = useTestApi({ logs: true, env: { RATE_LIMIT_PER_MINUTE: '3' } });

  it('a 429 is audited', async () => {
    let last;
    for (let i = 0; i < 5; i++) last = await api.client.get('/patient/rl-none');
    expect(last?.status).toBe(429);
    const requestId = String(last?.headers['x-request-id']);
    const events = await eventually(
      async () =>
        api.logs
          .map(
            (line) => JSON.parse(line) as { audit?: boolean; requestId?: string; outcome?: string },
          )
          .filter((line) => line.audit && line.requestId === requestId),
      (found) => found.length > 0,
    );
    expect(events.map((e) => e.outcome)).toEqual(['rate_limited']);
  });
});
