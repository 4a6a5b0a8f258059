import { connect as connectTcp } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { rm } from 'node:fs/promises';
import type { RedisClient } from '@app/storage';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import { HttpsClient, type HttpResult } from '@test/support/https-client';
import { inspectRedis, redisEnv, startRedisFor } from '@test/support/redis-fixture';
import type { TestRedisServer } from '@test/support/redis-server';
import { seedWith } from '@test/support/seed';
import { parsePrometheusText } from './prometheus-text';
import { mintDevToken } from '../../src/auth/dev-token';
import { loadConfig } from '../../src/config/app-config';
import { ApiProcess } from '@test/support/api-process';
import { eventually, opsEnv } from './ops-support';

const SHUTDOWN_TIMEOUT_MS = 30000;
const IN_FLIGHT = 12;

/** One HTTP/1.1 exchange at a time over a socket we hold open (keep-alive), written by hand. */
class RawConnection {
  private buffer = '';
  private waiting: (() => void) | null = null;
  closed = false;

  constructor(private readonly socket: TLSSocket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
  }

  static open(port: number, ca: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connectTls({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () =>
        resolve(new RawConnection(socket)),
      );
      socket.once('error', reject);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Reads one response (headers and a Content-Length body). */
  async response(): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.buffer.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(
          lines.map((line) => {
            const colon = line.indexOf(':');
            return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
          }),
        );
        const length = Number(headers['content-length'] ?? 0);
        const body = Buffer.from(this.buffer.slice(end + 4));
        if (body.length >= length) {
          this.buffer = body.subarray(length).toString();
          return {
            status: Number(statusLine.split(' ')[1]),
            headers,
            body: body.subarray(0, length).toString(),
          };
        }
      }
      if (this.closed) throw new Error(`connection closed; got: ${this.buffer}`);
      await new Promise<void>((done) => (this.waiting = done));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** True when a TCP connection to the port is refused. */
function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('SIGTERM while requests are in flight (the built API, node dist/apps/api/main.js)', () => {
  let secrets: DevSecrets;
  let redis: TestRedisServer;
  let direct: RedisClient;
  let api: ApiProcess;
  let http: HttpsClient;

  beforeAll(async () => {
    secrets = await makeDevSecrets();
    redis = await startRedisFor(secrets, { appendonly: true });
    direct = await inspectRedis(secrets, redis);
    api = await ApiProcess.start({
      ...opsEnv(secrets),
      ...redisEnv(redis),
      LOG_LEVEL: 'info',
      // Writes will wait on a paused Redis: they must wait, not time out.
      REDIS_COMMAND_TIMEOUT_MS: '45000',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    http = new HttpsClient(api.url, secrets.apiCa);
    await api.waitUntilReady(http);
  });

  afterAll(async () => {
    await direct?.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    direct?.disconnect();
    http?.close();
    await api?.kill();
    await redis?.stop();
    await rm(secrets.stateDir, { recursive: true, force: true });
  });

  it('turns readiness 503 at once, refuses new connections, finishes every accepted request, then exits 0', async () => {
    const token = await mintDevToken(
      secrets.signingKey,
      loadConfig({ DEV_STATE_DIR: secrets.stateDir }),
    );
    const client = http.with({ authorization: `Bearer ${token}` });

    // A load balancer's probe connection, kept open across the shutdown.
    const probe = await RawConnection.open(api.port, secrets.apiCa);
    const readyRequest = 'GET /health/ready HTTP/1.1\r\nHost: localhost\r\n';
    probe.write(`${readyRequest}\r\n`);
    expect((await probe.response()).status).toBe(200);

    // Redis holds every write: the creates below stay in flight until we let them go.
    await direct.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    const ids = Array.from({ length: IN_FLIGHT }, (_, i) => `drain-${i}`);
    const creates: Array<Promise<HttpResult>> = ids.map((id) =>
      client.post(`/patient/${id}`, { form: seedWith({}), timeoutMs: 60000 }),
    );
    const inFlight = await eventually(
      async () => {
        const families = parsePrometheusText((await http.get('/metrics')).text);
        return families.get('http_requests_in_flight')?.samples[0]?.value ?? 0;
      },
      (n) => n >= IN_FLIGHT + 1,
    );
    expect(inFlight).toBe(IN_FLIGHT + 1); // the creates, and the scrape itself

    // The probe's next request is on its way (its head not finished) when SIGTERM arrives.
    probe.write(readyRequest);
    api.signal('SIGTERM');

    // The listener closes: new connections are refused.
    expect(await eventually(() => refuses(api.port), Boolean)).toBe(true);

    // Readiness answers 503 at once, while the writes are still held.
    probe.write('\r\n');
    const duringDrain = await probe.response();
    expect(duringDrain.status).toBe(503);
    expect(duringDrain.headers.connection).toBe('close');
    expect(JSON.parse(duringDrain.body)).toEqual({
      status: 'shutting_down',
      info: {},
      error: {},
      details: {},
    });
    expect(api.running).toBe(true);
    probe.close();

    // Let Redis go: every accepted request completes.
    await direct.call('CLIENT', 'UNPAUSE');
    const results = await Promise.all(creates);
    expect(results.map((res) => res.status)).toEqual(ids.map(() => 200));

    // The process exits on its own, with 0, within the shutdown timeout.
    expect(await api.waitForExit(SHUTDOWN_TIMEOUT_MS)).toBe(0);
    // What it acknowledged is in Redis.
    for (const id of ids) expect(await direct.exists(`patient:${id}`)).toBe(1);
  });
});
