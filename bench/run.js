// `make bench`: the production build of the API (auth on, records encrypted, TLS Redis with client
// certificates) against the floor (floor-server.js), side by side in one run, with autocannon.
// Prints a table and writes bench/results.json. Not a test: nothing here asserts a time.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const {
  mkdtempSync,
  rmSync,
  readFileSync,
  writeFileSync,
  existsSync,
  openSync,
} = require('node:fs');
const { tmpdir, cpus } = require('node:os');
const { join, resolve } = require('node:path');
const https = require('node:https');
const net = require('node:net');
const autocannon = require('autocannon');

const ROOT = resolve(__dirname, '..');
const DIST = resolve(process.env.API_DIST_DIR ?? join(ROOT, 'dist/apps/api'));
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 32;
const SEED = Number(process.env.BENCH_SEED ?? 10000);
const SEED_FIELDS = require('../test/support/seed-patient.json');

const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function start(command, args, env, logFile) {
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', out, out],
  });
  children.push(child);
  return child;
}

function request(port, path, { method = 'GET', headers = {}, body, agent } = {}) {
  return new Promise((done) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        headers,
        agent,
        rejectUnauthorized: false,
        timeout: 5000,
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode));
      },
    );
    req.on('error', () => done(0));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

async function waitFor(port, path, timeoutMs = 30000) {
  const started = process.hrtime.bigint();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await request(port, path)) === 200) return Number(process.hrtime.bigint() - started) / 1e6;
    await sleep(20);
  }
  throw new Error(`nothing answered 200 on :${port}${path}`);
}

function rssMb(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return NaN;
  }
}

/** Runs one autocannon load; samples the API's RSS while it runs. */
async function load(name, port, requests, pid) {
  let peakRss = 0;
  const sampler = pid ? setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 250) : null;
  const result = await autocannon({
    url: `https://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION,
    requests,
  });
  if (sampler) clearInterval(sampler);
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rssMb: pid ? Math.round(peakRss) : null,
  };
}

const randomId = () => `bench-${Math.floor(Math.random() * SEED)}`;

async function main() {
  if (!existsSync(join(DIST, 'main.js')))
    throw new Error(`${DIST}/main.js is missing: run make build`);
  const work = mkdtempSync(join(tmpdir(), 'patient-api-bench-'));
  const secrets = join(work, 'secrets');
  const log = join(work, 'logs.txt');
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  execFileSync(process.execPath, [join(DIST, 'make-secrets.js'), work], { stdio: 'ignore' });

  // Boot to ready on the embedded defaults (dev PKI already made, in-memory storage): median of 3.
  const boots = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const child = start(process.execPath, [join(DIST, 'main.js')], {
      PORT: String(port),
      HOST: '127.0.0.1',
      DEV_STATE_DIR: work,
      LOG_LEVEL: 'warn',
    });
    boots.push(await waitFor(port, '/health/ready'));
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const bootMs = Math.round(boots.sort((a, b) => a - b)[1]);

  // A TLS-only Redis with client certificates, persistence as production runs it.
  const redisPort = await freePort();
  start(
    'redis-server',
    [
      '--port',
      '0',
      '--tls-port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--tls-cert-file',
      join(secrets, 'redis.crt'),
      '--tls-key-file',
      join(secrets, 'redis.key'),
      '--tls-ca-cert-file',
      join(secrets, 'redis-ca.crt'),
      '--tls-auth-clients',
      'yes',
      '--dir',
      work,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
    ],
    {},
  );

  // The API as a user runs it in production (SECRETS_SOURCE=files, Redis, JWT auth, encryption).
  const apiPort = await freePort();
  // BENCH_PROFILE=<dir>: write a V8 CPU profile of the API there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_PROFILE)}`]
    : [];
  const api = start(
    process.execPath,
    [...profile, join(DIST, 'main.js')],
    {
      NODE_ENV: 'production',
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      SECRETS_SOURCE: 'files',
      SECRETS_DIR: secrets,
      STORAGE_DRIVER: 'redis',
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(redisPort),
      AUTH_ISSUER: 'urn:patient-api:dev',
      AUTH_AUDIENCE: 'patient-api',
      // One load generator is one client address: a per-client limit would measure the limiter.
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'info',
      // BENCH_API_ENV='{"LOG_LEVEL":"warn"}': override settings, to see what each one costs.
      ...JSON.parse(process.env.BENCH_API_ENV ?? '{}'),
    },
    log,
  );
  await waitFor(apiPort, '/health/ready');
  const floorPort = await freePort();
  const expressFloorPort = await freePort();
  start(process.execPath, [join(__dirname, 'express-floor-server.js')], {
    PORT: String(expressFloorPort),
    REDIS_PORT: String(redisPort),
    SECRETS_DIR: secrets,
  });
  start(process.execPath, [join(__dirname, 'floor-server.js')], {
    PORT: String(floorPort),
    REDIS_PORT: String(redisPort),
    SECRETS_DIR: secrets,
  });

  const token = execFileSync(process.execPath, [join(DIST, 'dev-token.js'), '--ttl', '3600'], {
    env: { PATH: process.env.PATH, DEV_STATE_DIR: work },
    encoding: 'utf8',
  }).trim();
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const body = JSON.stringify(SEED_FIELDS);

  // Seed through the API, so the records are sealed exactly as in use.
  const agent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  for (let i = 0; i < SEED; i += 256) {
    const batch = [];
    for (let j = i; j < Math.min(SEED, i + 256); j++) {
      batch.push(
        request(apiPort, `/patient/bench-${j}`, { method: 'POST', headers: json, body, agent }),
      );
    }
    const statuses = await Promise.all(batch);
    if (statuses.some((s) => s !== 200))
      throw new Error(`seeding failed: ${statuses.find((s) => s !== 200)}`);
  }
  agent.destroy();
  await waitFor(floorPort, '/patient/bench-0');

  let created = 0;
  const post = {
    method: 'POST',
    headers: json,
    body,
    setupRequest: (r) => ({ ...r, path: `/patient/new-${process.pid}-${created++}` }),
  };
  const getPatient = {
    method: 'GET',
    headers: auth,
    setupRequest: (r) => ({ ...r, path: `/patient/${randomId()}` }),
  };
  const getScore = {
    method: 'GET',
    headers: auth,
    setupRequest: (r) => ({ ...r, path: `/score/${randomId()}` }),
  };
  const mixed = {
    headers: auth,
    setupRequest: (r) =>
      Math.random() < 0.8
        ? { ...r, method: 'GET', headers: auth, path: `/patient/${randomId()}` }
        : {
            ...r,
            method: 'POST',
            headers: json,
            body,
            path: `/patient/new-${process.pid}-${created++}`,
          },
  };

  const rows = [];
  rows.push(
    await load(
      'floor: GET /patient/{id} (node:https + Redis GET)',
      floorPort,
      [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/patient/${randomId()}` }) }],
      null,
    ),
  );
  rows.push(
    await load(
      'Express floor: the same GET on Express 5',
      expressFloorPort,
      [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/patient/${randomId()}` }) }],
      null,
    ),
  );
  rows.push(await load('API: GET /patient/{id}', apiPort, [getPatient], api.pid));
  rows.push(await load('API: GET /score/{id}', apiPort, [getScore], api.pid));
  rows.push(await load('API: POST /patient/{id} (new ids)', apiPort, [post], api.pid));
  rows.push(await load('API: mix 80% GET / 20% POST', apiPort, [mixed], api.pid));

  const floor = rows[0].requestsPerSecond;
  const expressFloor = rows[1].requestsPerSecond;
  const apiRows = rows.slice(2);
  const [get, , create] = apiRows;
  const worstTail = Math.max(...apiRows.map((r) => r.p99Ms / Math.max(r.p50Ms, 1)));
  const targets = {
    'GET throughput >= 60% of floor': {
      value: get.requestsPerSecond / floor,
      target: 0.6,
      met: get.requestsPerSecond / floor >= 0.6,
    },
    'POST throughput >= 40% of floor GET': {
      value: create.requestsPerSecond / floor,
      target: 0.4,
      met: create.requestsPerSecond / floor >= 0.4,
    },
    'p99 <= 4 x p50 (worst API row)': { value: worstTail, target: 4, met: worstTail <= 4 },
    'API RSS under load <= 200 MB': {
      value: Math.max(...apiRows.map((r) => r.rssMb)),
      target: 200,
      met: Math.max(...apiRows.map((r) => r.rssMb)) <= 200,
    },
    'no errors, no unexpected non-2xx': {
      value: rows.reduce((n, r) => n + r.errors + r.non2xx, 0),
      target: 0,
      met: rows.every((r) => r.errors === 0 && r.non2xx === 0),
    },
    'boot to ready <= 2 s (embedded defaults)': {
      value: bootMs / 1000,
      target: 2,
      met: bootMs <= 2000,
    },
  };

  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  console.log(
    `\n${CONNECTIONS} connections, ${DURATION} s each, HTTPS keep-alive, ${SEED} seeded patients, ${cpus().length} CPUs, Node ${process.version}\n`,
  );
  console.log(
    `${pad('load', 48)}${lpad('req/s', 8)}${lpad('p50 ms', 8)}${lpad('p99 ms', 8)}${lpad('errors', 8)}${lpad('non2xx', 8)}${lpad('RSS MB', 8)}`,
  );
  for (const r of rows) {
    console.log(
      `${pad(r.name, 48)}${lpad(r.requestsPerSecond, 8)}${lpad(r.p50Ms, 8)}${lpad(r.p99Ms, 8)}${lpad(r.errors, 8)}${lpad(r.non2xx, 8)}${lpad(r.rssMb ?? '-', 8)}`,
    );
  }
  console.log(`\nboot to ready (embedded defaults, median of 3): ${bootMs} ms`);
  const share = (n, d) => `${Math.round((100 * n) / d)}%`;
  console.log(
    `GET: the API makes ${share(get.requestsPerSecond, floor)} of the floor; Express alone makes ` +
      `${share(expressFloor, floor)} of it, and the API ${share(get.requestsPerSecond, expressFloor)} of Express alone\n`,
  );
  for (const [name, t] of Object.entries(targets)) {
    console.log(
      `${t.met ? 'met   ' : 'MISSED'} ${pad(name, 44)} ${typeof t.value === 'number' ? t.value.toFixed(2) : t.value} (target ${t.target})`,
    );
  }
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    settings: { connections: CONNECTIONS, durationSeconds: DURATION, seeded: SEED },
    bootToReadyMs: bootMs,
    rows,
    ratios: {
      apiGetToFloor: get.requestsPerSecond / floor,
      expressToFloor: expressFloor / floor,
      apiGetToExpress: get.requestsPerSecond / expressFloor,
      apiPostToFloorGet: create.requestsPerSecond / floor,
    },
    targets,
  };
  writeFileSync(join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log('\nwrote bench/results.json');
  // A graceful stop, so a CPU profile (BENCH_PROFILE) gets written.
  api.kill('SIGTERM');
  await new Promise((r) => api.once('exit', r));
  process.exit(0);
}

main().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
