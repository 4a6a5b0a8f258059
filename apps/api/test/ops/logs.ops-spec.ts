import { createServer, type Server } from 'node:net';
import { testEnv } from '@test/support/api';
import { ApiProcess } from '@test/support/api-process';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import { eventually, sleep } from '@test/support/eventually';
import { HttpsClient } from '@test/support/https-client';
import { freePort } from '@test/support/ports';
import { redisTlsFilesIn, TestRedisServer } from '@test/support/redis-server';
import { seedWith } from '@test/support/seed';
import { useTestBed } from '@test/support/test-bed';
import {
  BareApiProcess,
  ERROR,
  FATAL,
  logLines,
  requestLines,
  WARN,
  type LogLine,
} from './process-logs';

/** Values that must never reach a log line: they stand for PHI sent in a body or a query. */
const PHI = {
  fname: 'Zebulonia',
  lname: 'Quaxworth',
  ssn: '987-65-4321',
  email: 'zq@phi.example',
  address: "'17 Nowhere Lane'",
};

const messages = (lines: LogLine[]) => lines.map((line) => line.msg);

describe('logs of the built process (node dist/apps/api/main.js)', () => {
  const bed = useTestBed();
  let api: ApiProcess;
  let http: HttpsClient;

  beforeAll(async () => {
    api = await ApiProcess.start({
      ...testEnv(bed.secrets),
      LOG_LEVEL: 'info',
      AUTH_MODE: 'none',
    });
    http = new HttpsClient(api.url, bed.secrets.apiCa);
    bed.cleanup(async () => {
      http.close();
      await api.kill();
    });
    await api.waitUntilReady(http);
  });

  it('writes every line the service logs to stdout, as JSON lines, from boot on', async () => {
    // Lines go out in batches, at most a tenth of a second after they are logged.
    const said = await eventually(
      async () => messages(logLines(api.logs)),
      (lines) => lines.includes('ready'),
    );
    expect(said).toContain(`listening on https://127.0.0.1:${api.port}`);
    expect(said).toContain(
      'in-memory storage: nothing is persisted; records and the audit trail are lost when the process stops',
    );
    expect(said).toContainEqual(expect.stringMatching(/^AUTH_MODE=none: every record is open/));
    expect(said).toContainEqual(expect.stringMatching(/^dev secrets: trust the API with --cacert/));
    expect(said).toContain('ready');
    // Nest's own start-up chatter (a line per module and route) stays out of an info log.
    expect(said.filter((msg) => /Mapped \{|dependencies initialized/.test(msg))).toEqual([]);
  });

  it('logs the path of a request without its query string, and no body', async () => {
    const created = await http.post('/patient/logs-1', { json: seedWith(PHI) });
    expect(created.status).toBe(200);
    const read = await http.get(`/patient/logs-1?ssn=${PHI.ssn}&fname=${PHI.fname}`);
    expect(read.status).toBe(200);
    await eventually(
      async () => requestLines(logLines(api.logs)).length,
      (n) => n >= 2,
    );

    const urls = requestLines(logLines(api.logs)).map((line) => line.req?.url);
    expect(urls).toEqual(expect.arrayContaining(['/patient/logs-1']));
    for (const url of urls) expect(url).not.toContain('?');
    for (const value of Object.values(PHI)) expect(api.logs).not.toContain(value);
  });

  it('writes the lines logged just before exit, and exits 0 after SIGTERM', async () => {
    const burst = 200;
    const before = requestLines(logLines(api.logs)).length;
    const answers = await Promise.all(
      Array.from({ length: burst }, (_, i) => http.get(`/patient/absent-${i}`)),
    );
    expect(answers.map((res) => res.status)).toEqual(answers.map(() => 404));
    api.signal('SIGTERM');
    expect(await api.waitForExit(10000)).toBe(0);

    const lines = logLines(api.logs);
    expect(requestLines(lines).length - before).toBe(burst);
    // After the drain, the audit chains' heads are logged (checkpoints), then the last line.
    const said = messages(lines);
    const tail = said.slice(said.lastIndexOf('SIGTERM received: draining'));
    expect(tail[0]).toBe('SIGTERM received: draining');
    expect(tail.at(-1)).toBe('stopped');
    expect(tail.slice(1, -1)).toContain('audit checkpoint');
  });
});

describe('a failed boot of the built process', () => {
  let secrets: DevSecrets;
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    secrets = await makeDevSecrets();
    busyPort = await freePort();
    busy = createServer();
    await new Promise<void>((done) => busy.listen(busyPort, '127.0.0.1', done));
  });

  afterAll(async () => {
    await new Promise((done) => busy.close(done));
  });

  /** Runs the bundle until it exits: its exit code and its output. */
  async function boot(env: Record<string, string>) {
    const run = BareApiProcess.start({ ...testEnv(secrets), HOST: '127.0.0.1', ...env });
    const code = await run.exited;
    return { code, output: run.output };
  }

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'a missing secret file',
      { SECRETS_SOURCE: 'files', SECRETS_DIR: '/nonexistent/secrets' },
      /^secrets error: .*\/nonexistent\/secrets/,
    ],
    ['a bad variable', { PORT: 'not-a-port' }, /^configuration error: PORT /],
  ])('%s: one JSON line naming the cause, no stack trace, exit 1', async (_case, env, said) => {
    const { code, output } = await boot(env);
    expect(code).toBe(1);
    const lines = logLines(output);
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe(FATAL);
    expect(lines[0].msg).toMatch(said);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('the port in use: what was logged before the failure, then one line for it', async () => {
    const { code, output } = await boot({ PORT: String(busyPort), LOG_LEVEL: 'info' });
    expect(code).toBe(1);
    const lines = logLines(output);
    expect(messages(lines)[0]).toMatch(/^in-memory storage/);
    expect(lines.at(-1)).toMatchObject({ level: FATAL, msg: expect.stringMatching(/EADDRINUSE/) });
    expect(lines.filter((line) => line.level === FATAL)).toHaveLength(1);
  });
});

describe('logs of the built process through a Redis outage', () => {
  const bed = useTestBed({ redis: true, direct: true });
  let api: ApiProcess;
  let http: HttpsClient;

  beforeAll(async () => {
    api = await ApiProcess.start({
      ...testEnv(bed.secrets),
      ...bed.redis.env(),
      LOG_LEVEL: 'info',
      AUTH_MODE: 'none',
      REDIS_COMMAND_TIMEOUT_MS: '500',
      REDIS_CONNECT_TIMEOUT_MS: '500',
      HEALTH_TIMEOUT_MS: '300',
    });
    http = new HttpsClient(api.url, bed.secrets.apiCa);
    bed.cleanup(async () => {
      http.close();
      await api.kill();
    });
    await api.waitUntilReady(http);
    expect((await http.post('/patient/outage-1', { json: seedWith({}) })).status).toBe(200);
  });

  /** The lines logged from `offset` (a length of the output) on. */
  const linesSince = (offset: number) => logLines(api.logs.slice(offset));
  const storageWarnings = (lines: LogLine[]) =>
    lines.filter((line) => line.level >= WARN && /redis/i.test(line.msg) && !line.res);

  it('logs each record integrity failure as it happens (nothing is buffered)', async () => {
    const keys = (await bed.direct.call('KEYS', '*outage-1*')) as string[];
    const recordKey = keys.find((key) => key.startsWith('patient:'));
    expect(recordKey).toBeDefined();
    const original = await bed.direct.get(recordKey as string);
    await bed.direct.set(recordKey as string, 'not an envelope');
    try {
      const offset = api.logs.length;
      for (let i = 0; i < 5; i++) expect((await http.get('/patient/outage-1')).status).toBe(500);
      const failures = await eventually(
        async () =>
          linesSince(offset).filter((line) => /record integrity check failed/.test(line.msg)),
        (found) => found.length >= 5,
      );
      expect(failures).toHaveLength(5);
      expect(failures.every((line) => line.level === ERROR)).toBe(true);
      // Each names its request: the id its request's own line (the audit line) carries.
      const failedRequests = await eventually(
        async () =>
          requestLines(linesSince(offset))
            .filter((line) => line.res?.statusCode === 500)
            .map((line) => line.req?.id),
        (found) => found.length >= 5,
      );
      expect(failedRequests).toHaveLength(5);
      expect(failures.map((line) => line.reqId).sort()).toEqual([...failedRequests].sort());
    } finally {
      await bed.direct.set(recordKey as string, original as string);
    }
  });

  it('an outage: 503s are short warn lines, one warning with its cause, one line on recovery', async () => {
    const offset = api.logs.length;
    await bed.redis.kill();

    // Load while Redis is down: every answer a quick 503.
    const statuses: number[] = [];
    const until = Date.now() + 5000;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < until) {
          statuses.push((await http.get('/patient/outage-1')).status);
          await sleep(20);
        }
      }),
    );
    expect(new Set(statuses)).toEqual(new Set([503]));
    const outageBytes = Buffer.byteLength(api.logs.slice(offset));

    await bed.redis.start();
    await eventually(
      async () => (await http.get('/patient/outage-1')).status,
      (status) => status === 200,
    );
    await sleep(500);
    const lines = linesSince(offset);
    process.stdout.write(
      `outage: ${statuses.length} answers 503 in 5 s, ${outageBytes} bytes of log ` +
        `(${Math.round(outageBytes / statuses.length)} per request)\n`,
    );

    const failed = requestLines(lines).filter((line) => line.res?.statusCode === 503);
    expect(failed.length).toBeGreaterThanOrEqual(statuses.length);
    expect(failed.every((line) => line.level === WARN && line.err === undefined)).toBe(true);
    expect(api.logs.slice(offset)).not.toMatch(/stack|\\n\s+at /);
    // One short line per request (an audited request's line is its audit line).
    expect(outageBytes / statuses.length).toBeLessThan(1000);

    const warnings = storageWarnings(lines);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toMatch(/ECONNREFUSED|refused/);
    const recoveries = lines.filter(
      (line) => line.level < WARN && /redis|storage/i.test(line.msg) && !line.res,
    );
    expect(recoveries).toHaveLength(1);
  });

  it('a Redis back with a certificate from another CA is named as a certificate failure', async () => {
    const other = await makeDevSecrets();
    const offset = api.logs.length;
    await bed.redis.kill();
    // The restart takes a while: connections are refused meanwhile, and that is logged first.
    await eventually(
      async () => storageWarnings(linesSince(offset)),
      (found) => found.some((line) => /ECONNREFUSED/.test(line.msg)),
      10000,
    );
    // Redis comes back on its port, but with a certificate our CA did not issue.
    const impostor = await TestRedisServer.start({
      tls: redisTlsFilesIn(other.secretsDir),
      port: bed.redis.port,
    });
    try {
      const warnings = await eventually(
        async () => storageWarnings(linesSince(offset)),
        (found) => found.some((line) => /certificate|TLS|SSL/i.test(line.msg)),
        10000,
      );
      expect(warnings.map((line) => line.msg)).toContainEqual(
        expect.stringMatching(/certificate|TLS|SSL/i),
      );
      expect((await http.get('/patient/outage-1')).status).toBe(503);
    } finally {
      await impostor.stop();
      await bed.redis.start();
    }
    await eventually(
      async () => (await http.get('/patient/outage-1')).status,
      (status) => status === 200,
    );
  });
});
