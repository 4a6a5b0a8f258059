import { connect as connectTcp } from 'node:net';
import { recordKey } from '@app/storage/redis/redis-key-layout';
import { DEV_TENANT } from '../../src/auth/dev-token';
import { testEnv } from '@test/support/api';
import { ApiProcess } from '@test/support/api-process';
import { eventually } from '@test/support/eventually';
import { HttpsClient, type HttpResult } from '@test/support/https-client';
import { seedWith } from '@test/support/seed';
import { useApiProcess } from '@test/support/test-api';
import { useTestBed } from '@test/support/test-bed';
import { parsePrometheusText } from './prometheus-text';
import { logLines, RawConnection } from './process-logs';

const SHUTDOWN_TIMEOUT_MS = 30000;
const IN_FLIGHT = 12;

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
  const api = useApiProcess({
    redis: { appendonly: true },
    direct: true,
    env: {
      LOG_LEVEL: 'info',
      // Writes will wait on a paused Redis: they must wait, not time out.
      REDIS_COMMAND_TIMEOUT_MS: '45000',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    },
  });

  it('turns readiness 503 at once, refuses new connections, finishes every accepted request, then exits 0', async () => {
    // A load balancer's probe connection, kept open across the shutdown.
    const probe = await RawConnection.open(api.process.port, api.secrets.apiCa);
    // A keep-alive connection opened before SIGTERM, whose request comes during the drain.
    const late = await RawConnection.open(api.process.port, api.secrets.apiCa);
    late.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n');
    const readyRequest = 'GET /health/ready HTTP/1.1\r\nHost: localhost\r\n';
    probe.write(`${readyRequest}\r\n`);
    expect((await probe.response()).status).toBe(200);

    // Redis holds every write: the creates below stay in flight until we let them go.
    await api.direct.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    const ids = Array.from({ length: IN_FLIGHT }, (_, i) => `drain-${i}`);
    const creates: Array<Promise<HttpResult>> = ids.map((id) =>
      api.client.post(`/patient/${id}`, { form: seedWith({}), timeoutMs: 60000 }),
    );
    const inFlight = await eventually(
      async () => {
        const families = parsePrometheusText((await api.anonymous.get('/metrics')).text);
        return families.get('http_requests_in_flight')?.samples[0]?.value ?? 0;
      },
      (n) => n >= IN_FLIGHT + 1,
    );
    expect(inFlight).toBe(IN_FLIGHT + 1); // the creates, and the scrape itself

    // The probe's next request is on its way (its head not finished) when SIGTERM arrives.
    probe.write(readyRequest);
    api.process.signal('SIGTERM');

    // The listener closes: new connections are refused.
    expect(await eventually(() => refuses(api.process.port), Boolean)).toBe(true);

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
    expect(api.process.running).toBe(true);
    probe.close();
    // A request that arrives on an open connection during the drain is answered, not reset.
    late.write('\r\n');
    const lateAnswer = await late.response();
    expect(lateAnswer.status).toBe(200);
    expect(lateAnswer.headers.connection).toBe('close');
    expect(await late.closedWithin(2000)).toBe(true);

    // Let Redis go: every accepted request completes.
    await api.direct.call('CLIENT', 'UNPAUSE');
    const results = await Promise.all(creates);
    expect(results.map((res) => res.status)).toEqual(ids.map(() => 200));
    // Answered after SIGTERM, so none invites its client to send another request here.
    expect(results.map((res) => res.headers.connection)).toEqual(ids.map(() => 'close'));

    // The process exits on its own, with 0, within the shutdown timeout, and says so.
    expect(await api.process.waitForExit(SHUTDOWN_TIMEOUT_MS)).toBe(0);
    const said = logLines(api.process.logs).map((line) => line.msg);
    expect(said).toContain('SIGTERM received: draining');
    expect(said.at(-1)).toBe('stopped');
    // What it acknowledged is in Redis.
    for (const id of ids) expect(await api.direct.exists(recordKey(DEV_TENANT, id))).toBe(1);
  });
});

describe('SIGTERM with Redis hung (SIGSTOP): the built API still stops in time', () => {
  const SHUTDOWN_MS = 3000;
  const bed = useTestBed({ redis: true, direct: true });
  let redisPid: number;
  let stopped = false;
  const resume = () => {
    if (stopped) process.kill(redisPid, 'SIGCONT');
    stopped = false;
  };

  beforeAll(async () => {
    const info = String(await bed.direct.call('INFO', 'server'));
    redisPid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    expect(redisPid).toBeGreaterThan(0);
    bed.cleanup(resume);
  });

  afterEach(resume);

  /** An API whose Redis calls would wait 20 s: far longer than its shutdown may take. */
  async function startApi(): Promise<{ api: ApiProcess; http: HttpsClient }> {
    const api = await ApiProcess.start({
      ...testEnv(bed.secrets),
      ...bed.redis.env(),
      LOG_LEVEL: 'info',
      AUTH_MODE: 'none',
      REDIS_COMMAND_TIMEOUT_MS: '20000',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_MS),
    });
    const http = new HttpsClient(api.url, bed.secrets.apiCa);
    bed.cleanup(async () => {
      http.close();
      await api.kill();
    });
    await api.waitUntilReady(http);
    return { api, http };
  }

  /** SIGTERM, then the exit code and how long it took. */
  async function terminate(api: ApiProcess): Promise<{ code: unknown; elapsedMs: number }> {
    const start = Date.now();
    api.signal('SIGTERM');
    const code = await api.waitForExit(SHUTDOWN_MS + 20000);
    return { code, elapsedMs: Date.now() - start };
  }

  it('with requests in flight: exits within SHUTDOWN_TIMEOUT_MS + 1 s, saying what it cut off', async () => {
    const { api, http } = await startApi();
    process.kill(redisPid, 'SIGSTOP');
    stopped = true;
    const creates = Array.from({ length: 4 }, (_, i) =>
      http.post(`/patient/hung-${i}`, { json: seedWith({}), timeoutMs: 30000 }).catch(() => null),
    );
    const inFlight = await eventually(
      async () => {
        const families = parsePrometheusText((await http.get('/metrics')).text);
        return families.get('http_requests_in_flight')?.samples[0]?.value ?? 0;
      },
      (n) => n >= 5,
    );
    expect(inFlight).toBe(5);

    const { code, elapsedMs } = await terminate(api);
    process.stdout.write(`SIGTERM to exit, Redis hung, 4 writes in flight: ${elapsedMs} ms\n`);
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(SHUTDOWN_MS + 1000);
    await Promise.all(creates);
    const said = logLines(api.logs).map((line) => line.msg);
    expect(said).toEqual(
      expect.arrayContaining([
        'SIGTERM received: draining',
        `requests still in flight after ${SHUTDOWN_MS} ms were cut off`,
      ]),
    );
    expect(said.at(-1)).toBe('stopped at the shutdown timeout');
  });

  it('with nothing in flight: exits within SHUTDOWN_TIMEOUT_MS + 1 s', async () => {
    const { api } = await startApi();
    process.kill(redisPid, 'SIGSTOP');
    stopped = true;
    const { code, elapsedMs } = await terminate(api);
    process.stdout.write(`SIGTERM to exit, Redis hung, idle: ${elapsedMs} ms\n`);
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(SHUTDOWN_MS + 1000);
    // Nothing to drain, and storage gives up on a hung Redis's QUIT by itself (within 0.3 s).
    expect(logLines(api.logs).at(-1)?.msg).toBe('stopped');
  });
});
