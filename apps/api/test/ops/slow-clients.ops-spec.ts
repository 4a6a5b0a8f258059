import { connect as connectTcp, type Socket } from 'node:net';
import { testEnv } from '@test/support/api';
import { ApiProcess } from '@test/support/api-process';
import { sleep } from '@test/support/eventually';
import { HttpsClient } from '@test/support/https-client';
import { useTestBed } from '@test/support/test-bed';
import { RawConnection } from './process-logs';

const HANDSHAKE_MS = 500;
const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
const KEEP_ALIVE_MS = 500;
const PER_ADDRESS = 6;
const BODY_LIMIT = 2048;
/** Slack for the timers of a busy machine (2 cores shared by several test runs). */
const SLACK_MS = 2500;

/** A plain TCP connection that never sends a byte (no ClientHello). */
function rawTcp(port: number): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    const opened = Date.now();
    const closed = new Promise<number>((done) =>
      socket.once('close', () => done(Date.now() - opened)),
    );
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

describe('slow and idle clients against the built process', () => {
  const bed = useTestBed();
  let api: ApiProcess;
  let http: HttpsClient;
  const opened: RawConnection[] = [];

  beforeAll(async () => {
    api = await ApiProcess.start({
      ...testEnv(bed.secrets),
      AUTH_MODE: 'none',
      TLS_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_MS),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
      HTTP_MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
      BODY_LIMIT_BYTES: String(BODY_LIMIT),
    });
    http = new HttpsClient(api.url, bed.secrets.apiCa, { keepAlive: false });
    bed.cleanup(async () => {
      http.close();
      await api.kill();
    });
    await api.waitUntilReady(http);
  });

  afterEach(() => {
    for (const connection of opened.splice(0)) connection.close();
  });

  async function open(): Promise<RawConnection> {
    const connection = await RawConnection.open(api.port, bed.secrets.apiCa);
    opened.push(connection);
    return connection;
  }

  it('drops a TCP connection that never starts its TLS handshake', async () => {
    const { socket, closed } = await rawTcp(api.port);
    try {
      const heldMs = await Promise.race([closed, sleep(HANDSHAKE_MS + SLACK_MS).then(() => -1)]);
      expect(heldMs).toBeGreaterThanOrEqual(HANDSHAKE_MS - 50);
      expect(heldMs).toBeLessThan(HANDSHAKE_MS + SLACK_MS);
    } finally {
      socket.destroy();
    }
  });

  it('answers 408 to a TLS connection that sends no request', async () => {
    const connection = await open();
    const start = Date.now();
    expect(await connection.closedWithin(HEADERS_MS + SLACK_MS)).toBe(true);
    expect(connection.closedAt - start).toBeGreaterThanOrEqual(HEADERS_MS - 100);
    expect(connection.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 408 to headers that trickle in past HTTP_HEADERS_TIMEOUT_MS', async () => {
    const connection = await open();
    const start = Date.now();
    connection.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n');
    const trickle = setInterval(() => connection.write('X-Slow: still here\r\n'), 200);
    try {
      expect(await connection.closedWithin(HEADERS_MS + SLACK_MS)).toBe(true);
    } finally {
      clearInterval(trickle);
    }
    expect(connection.closedAt - start).toBeGreaterThanOrEqual(HEADERS_MS - 100);
    expect(connection.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 408 to a body that trickles in past HTTP_REQUEST_TIMEOUT_MS', async () => {
    const connection = await open();
    const start = Date.now();
    connection.write(
      'POST /patient/slow-body HTTP/1.1\r\nHost: localhost\r\n' +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
    );
    const trickle = setInterval(() => connection.write(' '), 200);
    try {
      expect(await connection.closedWithin(REQUEST_MS + SLACK_MS)).toBe(true);
    } finally {
      clearInterval(trickle);
    }
    expect(connection.closedAt - start).toBeGreaterThanOrEqual(REQUEST_MS - 100);
    expect(connection.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const connection = await open();
    connection.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const answer = await connection.response();
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('keep-alive');
    const answeredAt = Date.now();
    expect(await connection.closedWithin(KEEP_ALIVE_MS + SLACK_MS)).toBe(true);
    expect(connection.closedAt - answeredAt).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 100);
  });

  it('answers 413 from the Content-Length alone, before any of the body is sent', async () => {
    const connection = await open();
    connection.write(
      'POST /patient/big HTTP/1.1\r\nHost: localhost\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n',
    );
    const answer = await connection.response();
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 413, title: 'Payload too large' });
  });

  it('refuses the go-ahead (100 Continue) for a body over the limit, and answers 413', async () => {
    const connection = await open();
    connection.write(
      'PUT /patient/big HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n' +
        `Content-Type: application/json\r\nContent-Length: ${BODY_LIMIT + 1}\r\n\r\n`,
    );
    const answer = await connection.response();
    expect(answer.status).toBe(413);
    expect(connection.received).not.toContain('100 Continue');
  });

  it(`accepts at most HTTP_MAX_CONNECTIONS_PER_ADDRESS (${PER_ADDRESS}) connections from one address`, async () => {
    const held = await Promise.all(Array.from({ length: PER_ADDRESS }, () => open()));
    // One more from the same address: dropped before its handshake completes.
    await expect(open()).rejects.toThrow();
    // The ones held still work.
    held[0].write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect((await held[0].response()).status).toBe(200);
    // One closes: there is room again.
    held[1].close();
    await sleep(200);
    const again = await open();
    again.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect((await again.response()).status).toBe(200);
  });
});
