// Where a V8 CPU profile's time goes, without a GUI: the functions with the most self time, and
// the same time summed by package (node_modules/<package>, node:<module>, the API bundle, GC).
//   node bench/profile-top.js [FILE.cpuprofile] [--top N] [--load get|score|post|mix]
//                             [--variant NAME] [--results bench/results.json]
// Without FILE: the profile bench/results.json names (with --load), else the newest one in
// bench/profiles/. --load keeps only the samples taken while that load was measured (its window
// in results.json), leaving out boot, warm-ups and the other loads. Percentages are of the busy
// time (samples that were not "(idle)"), so they read the same whatever the idle share.
'use strict';
const { readFileSync, readdirSync, statSync, existsSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const { fileURLToPath } = require('node:url');
const { parseArgs } = require('node:util');

const ROOT = resolve(__dirname, '..');
const PROFILES = join(__dirname, 'profiles');

/** node_modules/<package> (scoped too), node:<module>, the API bundle, or a V8 category. */
function packageOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) {
    const parts = url.slice('node:'.length).split('/');
    return `node:${parts[0] === 'internal' && parts.length > 1 ? parts[1].replace(/\.js$/, '') : parts[0]}`;
  }
  if (/dist\/apps\/api\/[^/]+\.js$/.test(url)) return 'api bundle';
  return shortUrl(url);
}

function shortUrl(url) {
  let path = url;
  try {
    if (url.startsWith('file:')) path = fileURLToPath(url);
  } catch {
    return url;
  }
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) return path.slice(modules + 'node_modules/'.length);
  return path.startsWith('/') ? relative(ROOT, path) : path;
}

/**
 * Self time per node id, in microseconds, from the samples and their time deltas; only samples
 * taken within `window` ([from, to], µs on the profile's clock, CLOCK_MONOTONIC) when given.
 */
function selfTimes(profile, window) {
  const self = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  let at = profile.startTime;
  // A sample's delta is the time since the previous one: it belongs to the sample before it.
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i] ?? 0;
    if (window && (at < window[0] || at > window[1])) continue;
    const delta = timeDeltas[i + 1] ?? 0;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + Math.max(delta, 0));
  }
  return self;
}

/** { totalMs, busyMs, idleMs, functions: [...], packages: [...] }, both sorted by self time. */
function summarize(profile, { window = null } = {}) {
  const self = selfTimes(profile, window);
  const functions = new Map();
  const packages = new Map();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}\u0000${where}`;
    const fn = functions.get(key) ?? { name, where, package: packageOf(url, name), us: 0 };
    fn.us += us;
    functions.set(key, fn);
    const pkg = packageOf(url, name);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const busy = total - idle;
  const share = (us) => (busy > 0 ? us / busy : 0);
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .map((f) => ({ ...f, ms: f.us / 1000, share: share(f.us) })),
    packages: [...packages.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
  };
}

function newestProfile(dir = PROFILES) {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files[0] ?? null;
}

/** The report as text lines. */
function report(file, { top = 25, window = null } = {}) {
  const summary = summarize(JSON.parse(readFileSync(file, 'utf8')), { window });
  if (summary.totalMs === 0) return [`${file}: no samples${window ? ' in that window' : ''}`];
  const pct = (share) => `${(100 * share).toFixed(1).padStart(5)}%`;
  const ms = (value) => value.toFixed(0).padStart(8);
  const lines = [
    `${relative(process.cwd(), file) || file}${window ? ' (the measured load only)' : ''}: ` +
      `${(summary.totalMs / 1000).toFixed(1)} s sampled, ` +
      `${(summary.busyMs / 1000).toFixed(1)} s busy (the rest idle); shares are of busy time`,
    '',
    `${'self ms'.padStart(8)}  ${'share'.padStart(6)}  function (package, where)`,
  ];
  for (const f of summary.functions.slice(0, top)) {
    const where = [f.package === f.name ? null : f.package, f.where || null].filter(Boolean);
    lines.push(
      `${ms(f.ms)}  ${pct(f.share)}  ${f.name}${where.length ? ` (${where.join(', ')})` : ''}`,
    );
  }
  lines.push('', `${'self ms'.padStart(8)}  ${'share'.padStart(6)}  package`);
  for (const p of summary.packages.slice(0, Math.min(top, 15))) {
    lines.push(`${ms(p.ms)}  ${pct(p.share)}  ${p.name}`);
  }
  return lines;
}

module.exports = { summarize, report, newestProfile };

if (require.main === module) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      load: { type: 'string' },
      variant: { type: 'string' },
      results: { type: 'string', default: join(__dirname, 'results.json') },
    },
  });
  const fail = (message) => {
    console.error(`profile-top: ${message}`);
    process.exit(2);
  };
  let file = positionals[0] ? resolve(positionals[0]) : null;
  let window = null;
  if (values.load) {
    // The run that wrote results.json says which profile holds each load, and when it ran.
    const api = existsSync(values.results)
      ? JSON.parse(readFileSync(values.results, 'utf8')).api
      : {};
    const name = values.variant ?? Object.keys(api ?? {})[0];
    const profile = api?.[name]?.profile;
    if (!profile) fail(`${values.results} names no profile for variant ${name} (BENCH_PROFILE=1)`);
    window = profile.windowsUs[values.load];
    if (!window) fail(`variant ${name} ran no "${values.load}" load`);
    file ??= join(ROOT, profile.file);
  }
  file ??= newestProfile();
  if (!file) fail('no profile given and none in bench/profiles/ (BENCH_PROFILE=1)');
  console.log(report(file, { top: Number(values.top), window }).join('\n'));
}
