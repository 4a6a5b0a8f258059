// The measuring parts of the benchmark: processes (started pinned to CPUs when taskset exists),
// their CPU time and RSS read from /proc, wrk loads, and HTTPS probes.
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const { openSync, closeSync, readFileSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');
const https = require('node:https');
const net = require('node:net');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6;
/** CLOCK_MONOTONIC in µs: the clock of the timestamps in a V8 CPU profile of another process. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process (all its threads) so far, in µs; NaN once it is gone. */
function cpuMicros(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process, in MB (MiB); NaN once it is gone. */
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

const has = (command, args) => {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  return run.error ? null : `${run.stdout}${run.stderr}`;
};

/**
 * Where things run. On a machine with taskset and 2+ CPUs: the server under load alone on
 * BENCH_SERVER_CPUS (default CPU 0); wrk, Redis and this runner on BENCH_CLIENT_CPUS (default the
 * others). BENCH_PIN=0 turns it off.
 */
function pinning(env = process.env) {
  const count = cpus().length;
  const wanted = env.BENCH_PIN !== '0';
  if (!wanted || count < 2 || has('taskset', ['--version']) === null) {
    const why = !wanted ? 'BENCH_PIN=0' : count < 2 ? 'one CPU' : 'no taskset';
    return { pinned: false, why, server: null, client: null, clientCount: count };
  }
  const server = env.BENCH_SERVER_CPUS ?? '0';
  const client = env.BENCH_CLIENT_CPUS ?? (count === 2 ? '1' : `1-${count - 1}`);
  const clientCount = client
    .split(',')
    .map((part) => part.split('-').map(Number))
    .reduce((n, [a, b]) => n + (b === undefined ? 1 : b - a + 1), 0);
  return { pinned: true, why: 'taskset', server, client, clientCount };
}

/** Pins this process (every thread) to the given CPUs, so what it starts inherits them. */
function pinSelf(cpuList) {
  execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(process.pid)], { stdio: 'ignore' });
}

const children = new Set();

/**
 * Starts a process, on `cpuList` when given (taskset execs the command: the pid is the
 * command's). Output goes to `logFile` or nowhere.
 */
function start(command, args, env, { cpuList = null, logFile = null } = {}) {
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  const [file, argv] = cpuList ? ['taskset', ['-c', cpuList, command, ...args]] : [command, args];
  const child = spawn(file, argv, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', out, out],
  });
  if (typeof out === 'number') closeSync(out);
  children.add(child);
  child.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  child.exited.then(() => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
async function stop(child, graceMs = 15000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

function killAll() {
  for (const child of children) child.kill('SIGKILL');
}

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

/** One HTTPS request; resolves { status, body } (status 0 when it failed). */
function request(port, path, { method = 'GET', headers = {}, body, agent } = {}) {
  return new Promise((done) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, method, headers, agent, rejectUnauthorized: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          done({ status: res.statusCode, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.setTimeout(5000, () => req.destroy());
    req.on('error', () => done({ status: 0, body: '' }));
    req.end(body);
  });
}

/**
 * Polls until `path` answers 200; resolves the milliseconds since `since` (default: now).
 * Fails at once if `child` exits first.
 */
async function waitFor(port, path, { child, since = now(), timeoutMs = 30000, everyMs = 10 } = {}) {
  let exited = null;
  child?.exited.then((how) => (exited = how));
  const agent = new https.Agent({ keepAlive: false });
  try {
    while (now() - since < timeoutMs) {
      if ((await request(port, path, { agent })).status === 200) return now() - since;
      if (exited)
        throw new Error(`exited (${exited.code ?? exited.signal}) before ${path} answered 200`);
      await sleep(everyMs);
    }
  } finally {
    agent.destroy();
  }
  throw new Error(`nothing answered 200 on :${port}${path} within ${timeoutMs} ms`);
}

/** The wrk version line, or null when wrk is not installed. */
function wrkVersion() {
  const out = has('wrk', ['-v']);
  return out === null ? null : (/^wrk\s+\S+/.exec(out.trim())?.[0] ?? 'wrk');
}

/**
 * One wrk run of bench/wrk.lua against 127.0.0.1:port. Resolves wrk's counts (its BENCH_RESULT
 * line) and its own CPU share. `luaEnv` holds the BENCH_* settings of wrk.lua.
 */
async function wrk(port, { seconds, connections, threads, cpuList, timeoutS = 2, luaEnv }) {
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    `--timeout`,
    `${timeoutS}s`,
    '-s',
    join(__dirname, 'wrk.lua'),
    `https://127.0.0.1:${port}`,
  ];
  const [file, argv] = cpuList ? ['taskset', ['-c', cpuList, 'wrk', ...args]] : ['wrk', args];
  const child = spawn(file, argv, {
    env: { PATH: process.env.PATH, ...luaEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const started = now();
  let cpu = 0;
  let cpuAt = started;
  const sampler = setInterval(() => {
    const value = cpuMicros(child.pid);
    if (Number.isFinite(value)) [cpu, cpuAt] = [value, now()];
  }, 250);
  const code = await new Promise((r) => child.once('close', r));
  clearInterval(sampler);
  children.delete(child);
  const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${out}`);
  const result = JSON.parse(line.slice('BENCH_RESULT '.length));
  return { ...result, cpuPercent: cpuAt > started ? (100 * cpu) / 1000 / (cpuAt - started) : null };
}

module.exports = {
  CLOCK_TICKS,
  cpuMicros,
  rssMb,
  pinning,
  pinSelf,
  start,
  stop,
  killAll,
  freePort,
  request,
  waitFor,
  wrkVersion,
  wrk,
  sleep,
  now,
  monotonicUs,
};
