// `make bench`: the production build of the API (NODE_ENV=production, files secrets, Redis over
// mutual TLS, JWT verification of signed tokens, encrypted records, info logs, rate limiting on
// with a raised limit) against three floors that serve the same routes over the same TLS and
// Redis: bare node:https (floor-server.js), bare Express 5 (express-floor-server.js) and one
// NestJS controller on Express (nest-floor-server.js). Driven by wrk,
// 32 connections, HTTPS keep-alive; servers and load generator on separate CPUs when taskset
// exists. Prints a table and writes bench/results.json. Not a test: nothing here asserts a time.
// Settings (environment): see README's speed section.
'use strict';
const { execFileSync } = require('node:child_process');
const {
  mkdtempSync,
  mkdirSync,
  rmSync,
  readFileSync,
  writeFileSync,
  existsSync,
  statSync,
} = require('node:fs');
const { tmpdir, cpus, loadavg } = require('node:os');
const { join, resolve, relative } = require('node:path');
const https = require('node:https');
const m = require('./measure');
const { redisClient, FLOOR_PREFIX } = require('./floor-common');
const { report: profileReport } = require('./profile-top');
const { targetsOf, printReport, resultsJson } = require('./report');

const ROOT = resolve(__dirname, '..');
const DIST = resolve(process.env.API_DIST_DIR ?? join(ROOT, 'dist/apps/api'));

/**
 * The flags the image starts Node with (its CMD: `node <flags> dist/apps/api/main.js`), so that
 * the API runs here as it ships; the chart, the SCONE compose file and the CAS session use the
 * same ones (test/deploy/launch.spec.ts).
 */
function shippedNodeFlags() {
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8'));
  const argv = cmd ? JSON.parse(cmd[1]) : [];
  if (argv[0] !== 'node' || argv.at(-1) !== 'dist/apps/api/main.js')
    throw new Error(`docker/Dockerfile's CMD is not node <flags> dist/apps/api/main.js: ${cmd}`);
  return argv.slice(1, -1);
}

/**
 * The API variants a run can compare: environment overrides on top of the production settings.
 * BENCH_VARIANTS=default,audit-async runs both; the first one listed gets every load and the
 * targets, the others GET and POST (BENCH_VARIANT_LOADS).
 */
const VARIANTS = {
  // As the service ships (durable audit, AUDIT_DURABILITY=sync, once the audit trail lands).
  default: {},
  // Batched audit writes that may lose the last second on a crash (the audit issue's `async`).
  'audit-async': { AUDIT_DURABILITY: 'async' },
  // Diagnostic only (the targets keep the limiter on): what the rate limiter (its count in Redis)
  // costs when the whole load comes from one client address, as it does here.
  'rate-limit-off': { RATE_LIMIT_PER_MINUTE: '0' },
  // For an A/B of two builds in one run: the build in BENCH_BASELINE_DIST (say, a copy of
  // dist/apps/api made before a change), as shipped otherwise.
  baseline: {},
  // Diagnostic only: what info-level logging (a line per request) costs.
  'logs-warn': { LOG_LEVEL: 'warn' },
  // Diagnostic only: the three above together (no rate limit, warn logs, audit not awaited), to
  // see how near the targets the API gets without the features a setting can turn down.
  lean: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn', AUDIT_DURABILITY: 'async' },
};

/**
 * A variant's name in BENCH_VARIANTS, which may be repeated as NAME#2, NAME#3 (each its own boot
 * and measurement), so that an A/B can alternate: default,audit-async,default#2,audit-async#2.
 */
const variantOf = (name) => name.split('#')[0];
/** The build a variant runs: BENCH_BASELINE_DIST for `baseline`, dist/apps/api otherwise. */
function distOf(name) {
  if (variantOf(name) !== 'baseline') return DIST;
  if (!process.env.BENCH_BASELINE_DIST) throw new Error('baseline needs BENCH_BASELINE_DIST');
  return resolve(process.env.BENCH_BASELINE_DIST);
}

const LOADS = {
  get: { label: 'GET /patient/{id}', mode: 'get' },
  score: { label: 'GET /score/{id}', mode: 'score' },
  post: { label: 'POST /patient/{id}', mode: 'post' },
  mix: { label: '80% GET / 20% POST', mode: 'mix' },
};

const list = (value, fallback) =>
  (value ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const number = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number`);
  return value;
};

const SETTINGS = {
  connections: number('BENCH_CONNECTIONS', 32),
  apiSeconds: number('BENCH_DURATION_S', 15),
  floorSeconds: number('BENCH_FLOOR_DURATION_S', 10),
  warmupSeconds: number('BENCH_WARMUP_S', 2),
  seeded: number('BENCH_SEED', 2000),
  tokens: Math.max(1, number('BENCH_TOKENS', 32)),
  rateLimitPerMinute: number('BENCH_RATE_LIMIT', 1_000_000),
  timeoutSeconds: 2,
  loads: list(process.env.BENCH_LOADS, Object.keys(LOADS).join(',')),
  variantLoads: list(process.env.BENCH_VARIANT_LOADS, 'get,post'),
  variants: list(process.env.BENCH_VARIANTS, 'default'),
  floors: process.env.BENCH_FLOORS !== '0',
  floorsAfter: process.env.BENCH_FLOORS_AFTER !== '0',
  apiEnv: JSON.parse(process.env.BENCH_API_ENV ?? '{}'),
  // BENCH_PROFILE=1: V8 CPU profiles of the API into bench/profiles/; any other value: that folder.
  profileDir: ['', '0', 'false'].includes(process.env.BENCH_PROFILE ?? '')
    ? null
    : ['1', 'true'].includes(process.env.BENCH_PROFILE)
      ? join(__dirname, 'profiles')
      : resolve(process.env.BENCH_PROFILE),
  results: resolve(process.env.BENCH_RESULTS ?? join(__dirname, 'results.json')),
  keep: process.env.BENCH_KEEP === '1',
  nodeFlags: shippedNodeFlags(),
};
for (const load of [...SETTINGS.loads, ...SETTINGS.variantLoads])
  if (!LOADS[load]) throw new Error(`unknown load "${load}" (known: ${Object.keys(LOADS)})`);
for (const name of SETTINGS.variants)
  if (!VARIANTS[variantOf(name)])
    throw new Error(`unknown variant "${name}" (known: ${Object.keys(VARIANTS)})`);

/** The API's RSS "after a minute of load": the largest sample in the last seconds of load. */
const RSS_AFTER_S = 60;
const RSS_WINDOW_S = 5;

async function main() {
  if (!existsSync(join(DIST, 'main.js')))
    throw new Error(`${DIST}/main.js is missing: run make build (or set API_DIST_DIR)`);
  const wrkVersion = m.wrkVersion();
  if (!wrkVersion) throw new Error('wrk is missing: make bench installs it (Debian package wrk)');
  const pin = m.pinning();
  if (pin.pinned) m.pinSelf(pin.client);
  const threads = pin.pinned ? pin.clientCount : 1;
  const loadAtStart = loadavg()[0];
  const startedAt = m.now();

  const work = mkdtempSync(join(tmpdir(), 'patient-api-bench-'));
  const secrets = join(work, 'secrets');
  process.on('exit', () => {
    m.killAll();
    if (!SETTINGS.keep) rmSync(work, { recursive: true, force: true });
  });
  const step = (text) =>
    console.error(`bench: ${text} (${((m.now() - startedAt) / 1000).toFixed(0)} s)`);

  // The dev PKI, used as SECRETS_SOURCE=files's folder, as README's "Secrets" section shows.
  execFileSync(process.execPath, [join(DIST, 'make-secrets.js'), work], { stdio: 'ignore' });

  // A TLS-only Redis with client certificates, persistence as production runs it. On the client
  // CPU: the server CPU is the API's (or a floor's) alone, so its CPU per request is its own.
  const redisPort = await m.freePort();
  const redis = m.start(
    'redis-server',
    [
      ...['--port', '0', '--tls-port', String(redisPort), '--bind', '127.0.0.1'],
      ...[
        '--tls-cert-file',
        join(secrets, 'redis.crt'),
        '--tls-key-file',
        join(secrets, 'redis.key'),
      ],
      ...['--tls-ca-cert-file', join(secrets, 'redis-ca.crt'), '--tls-auth-clients', 'yes'],
      ...['--dir', work, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
    ],
    {},
    { logFile: join(work, 'redis.log') },
  );
  const store = redisClient({ port: redisPort, secretsDir: secrets });
  for (let i = 0; ; i++) {
    try {
      await store.connect();
      break;
    } catch (error) {
      if (i > 100) throw new Error(`redis-server did not start: ${error.message}`);
      store.disconnect();
      await m.sleep(50);
    }
  }

  const tokens = await mintTokens(work, secrets, SETTINGS.tokens);
  const body = JSON.stringify(require('../test/support/seed-patient.json'));

  const baseEnv = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    SECRETS_SOURCE: 'files',
    SECRETS_DIR: secrets,
    STORAGE_DRIVER: 'redis',
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(redisPort),
    AUTH_MODE: 'jwt',
    AUTH_ISSUER: 'urn:patient-api:dev',
    AUTH_AUDIENCE: 'patient-api',
    // On, as shipped; raised so that one load generator (one client address) is not throttled.
    RATE_LIMIT_PER_MINUTE: String(SETTINGS.rateLimitPerMinute),
    LOG_LEVEL: 'info',
  };
  const envOf = (variant) => ({
    ...baseEnv,
    ...VARIANTS[variantOf(variant)],
    ...SETTINGS.apiEnv,
  });

  let apiRuns = 0;
  async function bootApi(variant, { profile = false, loads = [] } = {}) {
    const port = await m.freePort();
    const log = join(work, `api-${variant}-${++apiRuns}.log`);
    const flags = profile
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${SETTINGS.profileDir}`,
          `--cpu-prof-name=api-${variant}-${loads.join('+')}-${stamp()}.cpuprofile`,
        ]
      : [];
    const since = m.now();
    const child = m.start(
      process.execPath,
      [...SETTINGS.nodeFlags, ...flags, join(distOf(variant), 'main.js')],
      { ...envOf(variant), PORT: String(port) },
      { cpuList: pin.server, logFile: log },
    );
    try {
      const bootMs = await m.waitFor(port, '/health/ready', { child, since });
      return { child, port, log, bootMs, profile: flags.length ? flags[2].split('=')[1] : null };
    } catch (error) {
      throw new Error(`the API (${variant}) ${error.message}\n${tail(log)}`);
    }
  }

  // Seed through the API, so that records are sealed exactly as in use; the floors get, under
  // their own keys, the very JSON the API answers for each seeded id.
  step(`seeding ${SETTINGS.seeded} patients through the API`);
  const seeder = await bootApi(SETTINGS.variants[0]);
  const record = await seed(seeder.port, tokens, body);
  await checkTokens(seeder.port, tokens);
  await m.stop(seeder.child);
  const pipeline = store.pipeline();
  for (let i = 0; i < SETTINGS.seeded; i++)
    pipeline.set(`${FLOOR_PREFIX}bench-${i}`, JSON.stringify({ ...record, id: `bench-${i}` }));
  await pipeline.exec();

  const luaEnv = (load, prefix) => ({
    BENCH_MODE: LOADS[load].mode,
    BENCH_BODY: body,
    BENCH_SEED: String(SETTINGS.seeded),
    BENCH_ID_PREFIX: 'bench-',
    BENCH_NEW_PREFIX: prefix,
    BENCH_POST_SHARE: '0.2',
    BENCH_TOKENS: tokens.join(' '),
  });
  let rows = 0;
  /** One measured load: warm-up, then the load with the server's and Redis's CPU around it. */
  async function measure(pid, port, load, seconds, sampler) {
    const row = ++rows;
    const options = {
      connections: SETTINGS.connections,
      threads,
      cpuList: pin.client,
      timeoutS: SETTINGS.timeoutSeconds,
    };
    if (SETTINGS.warmupSeconds > 0)
      await m.wrk(port, {
        ...options,
        seconds: SETTINGS.warmupSeconds,
        luaEnv: luaEnv(load, `w${row}-`),
      });
    sampler?.mark();
    const before = { server: m.cpuMicros(pid), redis: m.cpuMicros(redis.pid), at: m.now() };
    const fromUs = m.monotonicUs();
    const w = await m.wrk(port, { ...options, seconds, luaEnv: luaEnv(load, `n${row}-`) });
    const toUs = m.monotonicUs();
    const after = { server: m.cpuMicros(pid), redis: m.cpuMicros(redis.pid), at: m.now() };
    const wallMs = after.at - before.at;
    const served = Math.max(w.requests, 1);
    const errors = {
      non2xx: w.statusErrors,
      timeouts: w.timeouts,
      socket: w.connectErrors + w.readErrors + w.writeErrors,
    };
    return {
      requests: w.requests,
      seconds: w.durationUs / 1e6,
      requestsPerSecond: w.requests / (w.durationUs / 1e6),
      p50Ms: w.p50Us / 1000,
      p90Ms: w.p90Us / 1000,
      p99Ms: w.p99Us / 1000,
      maxMs: w.maxUs / 1000,
      cpuUsPerRequest: (after.server - before.server) / served,
      cpuPercent: (100 * (after.server - before.server)) / 1000 / wallMs,
      redisCpuUsPerRequest: (after.redis - before.redis) / served,
      wrkCpuPercent: w.cpuPercent,
      posts: w.sentPosts,
      gets: w.sentGets,
      errors: { total: errors.non2xx + errors.timeouts + errors.socket, ...errors },
      // When the measured load ran, on the clock of V8's CPU profiles (CLOCK_MONOTONIC, µs).
      windowUs: [fromUs, toUs],
      ...(sampler ? sampler.since() : {}),
    };
  }

  // The floors, each measured alone on the server CPU: before the API and (unless
  // BENCH_FLOORS_AFTER=0) again after it. On a shared machine the CPU a request costs drifts
  // over minutes; a ratio to the mean of a floor measured on both sides of the API drifts less.
  async function measureFloors(when) {
    const measured = {};
    for (const [key, script] of [
      ['node', 'floor-server.js'],
      ['express', 'express-floor-server.js'],
      ['nest', 'nest-floor-server.js'],
    ]) {
      const port = await m.freePort();
      const child = m.start(
        process.execPath,
        [join(__dirname, script)],
        { PORT: String(port), REDIS_PORT: String(redisPort), SECRETS_DIR: secrets },
        { cpuList: pin.server, logFile: join(work, `floor-${key}-${when}.log`) },
      );
      await m.waitFor(port, '/patient/bench-0', { child });
      measured[key] = {};
      for (const load of SETTINGS.loads) {
        step(`${key} floor (${when}): ${LOADS[load].label}`);
        measured[key][load] = await measure(child.pid, port, load, SETTINGS.floorSeconds, null);
      }
      await m.stop(child);
    }
    return measured;
  }
  const floorsBefore = SETTINGS.floors ? await measureFloors('before') : {};

  // The API, each variant in turn: three boots (the median is its boot to ready), the third one
  // measured under load (and profiled with BENCH_PROFILE).
  if (SETTINGS.profileDir) mkdirSync(SETTINGS.profileDir, { recursive: true });
  const api = {};
  for (const [index, variant] of SETTINGS.variants.entries()) {
    // The others: BENCH_VARIANT_LOADS, within BENCH_LOADS when both name some of the same.
    const within = SETTINGS.variantLoads.filter((load) => SETTINGS.loads.includes(load));
    const loads = index === 0 ? SETTINGS.loads : within.length ? within : SETTINGS.variantLoads;
    const boots = [];
    for (let i = 0; i < 2; i++) {
      const run = await bootApi(variant);
      boots.push(run.bootMs);
      await m.stop(run.child);
    }
    const run = await bootApi(variant, { profile: Boolean(SETTINGS.profileDir), loads });
    boots.push(run.bootMs);
    const rssAtReadyMb = m.rssMb(run.child.pid);
    const logAtStart = size(run.log);
    const sampler = rssSampler(run.child.pid);
    const rows = {};
    for (const load of loads) {
      step(`API ${variant}: ${LOADS[load].label}`);
      const logBefore = size(run.log);
      rows[load] = await measure(run.child.pid, run.port, load, SETTINGS.apiSeconds, sampler);
      rows[load].logBytesPerRequest =
        (size(run.log) - logBefore) / Math.max(rows[load].requests, 1);
    }
    const rss = sampler.finish();
    const logBytes = size(run.log) - logAtStart;
    await m.stop(run.child);
    if (run.profile && !existsSync(join(SETTINGS.profileDir, run.profile)))
      throw new Error(`no CPU profile was written for ${variant}\n${tail(run.log)}`);
    api[variant] = {
      env: VARIANTS[variantOf(variant)],
      bootMs: median(boots),
      bootsMs: boots,
      rssMb: { atReady: rssAtReadyMb, ...rss },
      logBytes,
      loads: rows,
      profile: run.profile
        ? {
            file: relative(ROOT, join(SETTINGS.profileDir, run.profile)),
            windowsUs: Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, r.windowUs])),
          }
        : null,
    };
  }
  const floorsAfter = SETTINGS.floors && SETTINGS.floorsAfter ? await measureFloors('after') : {};
  const floors = meanFloors(floorsBefore, floorsAfter);
  store.disconnect();

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    node: process.version,
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg()[0],
  };
  const settings = {
    loadGenerator: wrkVersion,
    threads,
    connections: SETTINGS.connections,
    apiSeconds: SETTINGS.apiSeconds,
    floorSeconds: SETTINGS.floorSeconds,
    warmupSeconds: SETTINGS.warmupSeconds,
    timeoutSeconds: SETTINGS.timeoutSeconds,
    seeded: SETTINGS.seeded,
    tokens: tokens.length,
    pinning: pin.pinned
      ? { server: `CPU ${pin.server}`, client: `CPU ${pin.client}`, tool: 'taskset' }
      : { none: pin.why },
    apiNodeFlags: SETTINGS.nodeFlags,
    apiEnv: { ...baseEnv, SECRETS_DIR: '<dev PKI>', REDIS_PORT: '<port>', ...SETTINGS.apiEnv },
    variants: SETTINGS.variants,
    totalSeconds: (m.now() - startedAt) / 1000,
  };
  const targets = targetsOf({
    api: api[SETTINGS.variants[0]],
    floors,
    connections: SETTINGS.connections,
  });
  printReport({ machine, settings, floors, api, targets, LOADS });
  writeFileSync(SETTINGS.results, resultsJson({ machine, settings, floors, api, targets }));
  console.log(`\nwrote ${relative(process.cwd(), SETTINGS.results) || SETTINGS.results}`);

  for (const [variant, result] of Object.entries(api)) {
    if (!result.profile) continue;
    for (const [load, window] of Object.entries(result.profile.windowsUs)) {
      console.log(`\nCPU profile of the API (${variant}) during ${LOADS[load].label}:`);
      const lines = profileReport(join(ROOT, result.profile.file), { top: 15, window });
      console.log(lines.join('\n'));
    }
  }
  if (SETTINGS.keep) console.log(`\nkept ${work} (logs, Redis files)`);
  process.exit(0);
}

/**
 * Each floor row as the mean of its measurements before and after the API (req/s, CPU and
 * latencies averaged), keeping both as `before` and `after`; the before row alone without one.
 */
function meanFloors(before, after) {
  const mean = (a, b) => (a + b) / 2;
  const out = {};
  for (const [key, loads] of Object.entries(before)) {
    out[key] = {};
    for (const [load, row] of Object.entries(loads)) {
      const later = after[key]?.[load];
      if (!later) {
        out[key][load] = row;
        continue;
      }
      out[key][load] = {
        ...row,
        requests: row.requests + later.requests,
        requestsPerSecond: mean(row.requestsPerSecond, later.requestsPerSecond),
        p50Ms: mean(row.p50Ms, later.p50Ms),
        p90Ms: mean(row.p90Ms, later.p90Ms),
        p99Ms: mean(row.p99Ms, later.p99Ms),
        maxMs: Math.max(row.maxMs, later.maxMs),
        cpuUsPerRequest: mean(row.cpuUsPerRequest, later.cpuUsPerRequest),
        cpuPercent: mean(row.cpuPercent, later.cpuPercent),
        redisCpuUsPerRequest: mean(row.redisCpuUsPerRequest, later.redisCpuUsPerRequest),
        wrkCpuPercent: mean(row.wrkCpuPercent, later.wrkCpuPercent),
        errors: {
          total: row.errors.total + later.errors.total,
          non2xx: row.errors.non2xx + later.errors.non2xx,
          timeouts: row.errors.timeouts + later.errors.timeouts,
          socket: row.errors.socket + later.errors.socket,
        },
        before: { requestsPerSecond: row.requestsPerSecond, cpuUsPerRequest: row.cpuUsPerRequest },
        after: {
          requestsPerSecond: later.requestsPerSecond,
          cpuUsPerRequest: later.cpuUsPerRequest,
        },
      };
    }
  }
  return out;
}

/** A token from the API's own dev-token command, and more like it, each for its own subject. */
async function mintTokens(work, secrets, count) {
  const token = execFileSync(process.execPath, [join(DIST, 'dev-token.js'), '--ttl', '3600'], {
    env: { PATH: process.env.PATH, DEV_STATE_DIR: work },
    encoding: 'utf8',
  }).trim();
  if (count === 1) return [token];
  // Same header and claims, re-signed with the dev signing key: only `sub` differs.
  const { importJWK, SignJWT } = require('jose');
  const [header, claims] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  const jwk = JSON.parse(readFileSync(join(secrets, 'jwt-signing.jwk'), 'utf8'));
  const key = await importJWK(jwk, header.alg);
  const tokens = [token];
  for (let i = 1; i < count; i++) {
    tokens.push(
      await new SignJWT({ ...claims, sub: `${claims.sub}-bench-${i}` })
        .setProtectedHeader(header)
        .sign(key),
    );
  }
  return tokens;
}

/** POSTs bench-0 .. bench-<n-1> through the API; resolves the API's answer to GET bench-0. */
async function seed(port, tokens, body) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  const headers = (i) => ({
    authorization: `Bearer ${tokens[i % tokens.length]}`,
    'content-type': 'application/json',
  });
  for (let i = 0; i < SETTINGS.seeded; i += 256) {
    const batch = [];
    for (let j = i; j < Math.min(SETTINGS.seeded, i + 256); j++)
      batch.push(
        m.request(port, `/patient/bench-${j}`, {
          method: 'POST',
          headers: headers(j),
          body,
          agent,
        }),
      );
    const failed = (await Promise.all(batch)).find((r) => r.status < 200 || r.status > 299);
    if (failed) throw new Error(`seeding failed: ${failed.status} ${failed.body.slice(0, 300)}`);
  }
  agent.destroy();
  const answer = await m.request(port, '/patient/bench-0', { headers: headers(0) });
  if (answer.status !== 200) throw new Error(`GET /patient/bench-0 answered ${answer.status}`);
  return JSON.parse(answer.body);
}

/** Every token reads a record and a score (a token the API refuses would bench 401s). */
async function checkTokens(port, tokens) {
  for (const [i, token] of tokens.entries()) {
    for (const path of ['/patient/bench-1', '/score/bench-1']) {
      const answer = await m.request(port, path, { headers: { authorization: `Bearer ${token}` } });
      if (answer.status !== 200) throw new Error(`token ${i}: ${path} answered ${answer.status}`);
    }
  }
}

/**
 * Samples a process's RSS every 500 ms while it is under load. since(): peak and last RSS since
 * the last mark(); finish(): peak over all loads, and the largest sample in the last
 * RSS_WINDOW_S seconds once RSS_AFTER_S seconds of load (warm-ups included) have passed.
 */
function rssSampler(pid) {
  const samples = [];
  const started = m.now();
  let markAt = 0;
  const sample = () => samples.push({ t: (m.now() - started) / 1000, mb: m.rssMb(pid) });
  const timer = setInterval(sample, 500);
  const max = (list) => (list.length ? Math.max(...list.map((s) => s.mb)) : null);
  return {
    mark: () => (markAt = samples.length),
    since: () => {
      sample();
      const mine = samples.slice(markAt);
      return { rssPeakMb: max(mine), rssEndMb: mine.at(-1)?.mb ?? null };
    },
    finish: () => {
      clearInterval(timer);
      sample();
      const loadSeconds = samples.at(-1).t;
      const last = samples.filter((s) => s.t >= loadSeconds - RSS_WINDOW_S);
      return {
        underLoadSeconds: loadSeconds,
        afterMinute: loadSeconds >= RSS_AFTER_S ? max(last) : null,
        peak: max(samples),
      };
    },
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');
const size = (file) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};
function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

main().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
