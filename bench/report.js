// The benchmark's conclusions: targets met or missed, the printed table, and bench/results.json
// (stable keys in a fixed order, rounded figures, so that a run's file diffs well).
'use strict';

const round = (value, digits = 0) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? null
    : Number(value.toFixed(digits));
const ratio = (a, b) => (a && b ? a / b : null);

/** The issue's targets, from the first (shipped) variant's loads and the floors of the run. */
function targetsOf({ api, floors, connections }) {
  const reference = floors.express?.get?.requestsPerSecond ?? null;
  const vsReference = (load) => ratio(api.loads[load]?.requestsPerSecond, reference);
  const apiRows = Object.values(api.loads);
  const everyRow = [...apiRows, ...Object.values(floors).flatMap((f) => Object.values(f))];
  const target = (name, value, comparison, limit) => ({
    name,
    value,
    comparison,
    target: limit,
    met: value === null ? null : comparison === '>=' ? value >= limit : value <= limit,
  });
  return {
    getVsExpressFloorGet: target(
      "GET /patient/{id} >= 0.60 x Express floor's GET",
      vsReference('get'),
      '>=',
      0.6,
    ),
    scoreVsExpressFloorGet: target(
      "GET /score/{id} >= 0.60 x Express floor's GET",
      vsReference('score'),
      '>=',
      0.6,
    ),
    postVsExpressFloorGet: target(
      "POST /patient/{id} >= 0.40 x Express floor's GET",
      vsReference('post'),
      '>=',
      0.4,
    ),
    p99ToP50: target(
      `p99 <= 4 x p50 at ${connections} connections (worst API load)`,
      apiRows.length ? Math.max(...apiRows.map((r) => r.p99Ms / r.p50Ms)) : null,
      '<=',
      4,
    ),
    errors: target(
      'zero errors: non-2xx, timeouts, socket errors (every load)',
      everyRow.reduce((n, r) => n + r.errors.total, 0),
      '<=',
      0,
    ),
    rssAfterMinuteMb: target(
      'API RSS after a minute of load <= 160 MB',
      api.rssMb.afterMinute ?? null,
      '<=',
      160,
    ),
    bootToReadyS: target(
      'boot to ready <= 1.5 s (spawn to first 200 on /health/ready)',
      api.bootMs / 1000,
      '<=',
      1.5,
    ),
  };
}

/** A row of results.json: its keys always the same, in the same order. */
function rowJson(row, floors, load) {
  const out = {
    requestsPerSecond: round(row.requestsPerSecond),
    requests: row.requests,
    seconds: round(row.seconds, 1),
    p50Ms: round(row.p50Ms, 2),
    p90Ms: round(row.p90Ms, 2),
    p99Ms: round(row.p99Ms, 2),
    maxMs: round(row.maxMs, 1),
    p99ToP50: round(row.p99Ms / row.p50Ms, 2),
    cpuUsPerRequest: round(row.cpuUsPerRequest),
    cpuPercent: round(row.cpuPercent),
    redisCpuUsPerRequest: round(row.redisCpuUsPerRequest),
    wrkCpuPercent: round(row.wrkCpuPercent),
    gets: row.gets,
    posts: row.posts,
    errors: {
      total: row.errors.total,
      non2xx: row.errors.non2xx,
      timeouts: row.errors.timeouts,
      socket: row.errors.socket,
    },
  };
  // A floor measured before and after the API: the row is their mean; here each on its own.
  for (const when of ['before', 'after']) {
    if (row[when]) {
      out[when] = {
        requestsPerSecond: round(row[when].requestsPerSecond),
        cpuUsPerRequest: round(row[when].cpuUsPerRequest),
      };
    }
  }
  if (floors) {
    Object.assign(out, {
      rssPeakMb: round(row.rssPeakMb),
      rssEndMb: round(row.rssEndMb),
      logBytesPerRequest: round(row.logBytesPerRequest),
      toExpressFloor: round(
        ratio(row.requestsPerSecond, floors.express?.[load]?.requestsPerSecond),
        3,
      ),
      toNodeFloor: round(ratio(row.requestsPerSecond, floors.node?.[load]?.requestsPerSecond), 3),
      toNestFloor: round(ratio(row.requestsPerSecond, floors.nest?.[load]?.requestsPerSecond), 3),
      toExpressFloorGet: round(
        ratio(row.requestsPerSecond, floors.express?.get?.requestsPerSecond),
        3,
      ),
      cpuToExpressFloor: round(
        ratio(row.cpuUsPerRequest, floors.express?.[load]?.cpuUsPerRequest),
        2,
      ),
    });
  }
  return out;
}

const mapValues = (object, fn) =>
  Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fn(v, k)]));

function resultsJson({ machine, settings, floors, api, targets }) {
  const results = {
    schema: 2,
    date: new Date().toISOString(),
    machine: {
      cpus: machine.cpus,
      cpuModel: machine.cpuModel,
      node: machine.node,
      loadAverageAtStart: round(machine.loadAverageAtStart, 2),
      loadAverageAtEnd: round(machine.loadAverageAtEnd, 2),
    },
    settings: { ...settings, totalSeconds: round(settings.totalSeconds) },
    floors: mapValues(floors, (loads) => mapValues(loads, (row) => rowJson(row, null))),
    floorRatios: {
      expressToNode: mapValues(floors.express ?? {}, (row, load) =>
        round(ratio(row.requestsPerSecond, floors.node?.[load]?.requestsPerSecond), 3),
      ),
      nestToExpress: mapValues(floors.nest ?? {}, (row, load) =>
        round(ratio(row.requestsPerSecond, floors.express?.[load]?.requestsPerSecond), 3),
      ),
    },
    api: mapValues(api, (variant) => ({
      env: variant.env,
      bootToReadyMs: round(variant.bootMs),
      bootsMs: variant.bootsMs.map((v) => round(v)),
      rssMb: {
        atReady: round(variant.rssMb.atReady),
        afterMinute: round(variant.rssMb.afterMinute),
        peak: round(variant.rssMb.peak),
        underLoadSeconds: round(variant.rssMb.underLoadSeconds),
      },
      loads: mapValues(variant.loads, (row, load) => rowJson(row, floors, load)),
      profile: variant.profile,
    })),
    targets: mapValues(targets, (t) => ({
      name: t.name,
      value: round(t.value, 3),
      comparison: t.comparison,
      target: t.target,
      met: t.met,
    })),
  };
  return `${JSON.stringify(results, null, 2)}\n`;
}

const pad = (s, n) => String(s ?? '-').padEnd(n);
const lpad = (s, n) => String(s ?? '-').padStart(n);
const fixed = (v, digits) =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);

function printReport({ machine, settings, floors, api, targets, LOADS }) {
  const out = (line = '') => console.log(line);
  const [first] = settings.variants;
  out();
  out(
    `${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load average ` +
      `${fixed(machine.loadAverageAtStart, 2)} at start, ${fixed(machine.loadAverageAtEnd, 2)} at end`,
  );
  out(
    `${settings.loadGenerator}, ${settings.threads} thread(s), ${settings.connections} connections, ` +
      `HTTPS keep-alive, timeout ${settings.timeoutSeconds} s; ${settings.tokens} signed tokens, ` +
      `${settings.seeded} seeded patients`,
  );
  out(
    settings.pinning.tool
      ? `pinned with taskset: servers (API, floors) on ${settings.pinning.server}; wrk, Redis and the runner on ${settings.pinning.client}`
      : `not pinned (${settings.pinning.none}): servers and wrk share the CPUs`,
  );
  out(
    `API loads ${settings.apiSeconds} s, floor loads ${settings.floorSeconds} s, each after a ` +
      `${settings.warmupSeconds} s warm-up; CPU = the server process's user+system time over the ` +
      `requests it served; ${Math.round(settings.totalSeconds)} s in all`,
  );
  out();
  const width = Math.max(16, ...Object.keys(api).map((v) => `API ${v}`.length)) + 2;
  const header =
    `${pad('server', width)}${pad('load', 20)}${lpad('req/s', 8)}${lpad('p50 ms', 8)}${lpad('p99 ms', 8)}` +
    `${lpad('p99/p50', 8)}${lpad('CPU µs/req', 11)}${lpad('CPU %', 6)}${lpad('Redis µs', 9)}` +
    `${lpad('wrk %', 6)}${lpad('errors', 7)}${lpad('RSS MB', 7)}${lpad('xExpress', 9)}${lpad('xnode', 7)}`;
  out(header);
  out('-'.repeat(header.length));
  const line = (server, load, row, ratios) =>
    out(
      `${pad(server, width)}${pad(LOADS[load].label, 20)}${lpad(Math.round(row.requestsPerSecond), 8)}` +
        `${lpad(fixed(row.p50Ms, 2), 8)}${lpad(fixed(row.p99Ms, 2), 8)}` +
        `${lpad(fixed(row.p99Ms / row.p50Ms, 1), 8)}${lpad(Math.round(row.cpuUsPerRequest), 11)}` +
        `${lpad(Math.round(row.cpuPercent), 6)}${lpad(Math.round(row.redisCpuUsPerRequest), 9)}` +
        `${lpad(fixed(row.wrkCpuPercent, 0), 6)}${lpad(row.errors.total, 7)}` +
        `${lpad(row.rssPeakMb === undefined ? '-' : Math.round(row.rssPeakMb), 7)}` +
        `${lpad(ratios ? fixed(ratios[0], 2) : '-', 9)}${lpad(ratios ? fixed(ratios[1], 2) : '-', 7)}`,
    );
  for (const [key, loads] of Object.entries(floors))
    for (const [load, row] of Object.entries(loads)) line(`${key} floor`, load, row, null);
  for (const [variant, result] of Object.entries(api))
    for (const [load, row] of Object.entries(result.loads))
      line(`API ${variant}`, load, row, [
        ratio(row.requestsPerSecond, floors.express?.[load]?.requestsPerSecond),
        ratio(row.requestsPerSecond, floors.node?.[load]?.requestsPerSecond),
      ]);
  out();
  out(
    "xExpress, xnode: the API's req/s over the same load on the Express floor and the node floor.",
  );
  for (const [key, loads] of Object.entries(floors)) {
    const drift = Object.entries(loads)
      .filter(([, row]) => row.before && row.after)
      .map(
        ([load, row]) =>
          `${load} ${Math.round(row.before.cpuUsPerRequest)} -> ${Math.round(row.after.cpuUsPerRequest)} µs`,
      );
    if (drift.length > 0)
      out(
        `${key} floor measured before and after the API (rows and ratios: the mean): ${drift.join(', ')}`,
      );
  }
  const nodeGet = floors.node?.get?.requestsPerSecond;
  const expressGet = floors.express?.get?.requestsPerSecond;
  if (nodeGet && expressGet)
    out(
      `Express floor / node floor, GET: ${fixed(expressGet / nodeGet, 2)} (the platform's own cost)`,
    );
  const nestGet = floors.nest?.get?.requestsPerSecond;
  if (nestGet && expressGet)
    out(`Nest floor / Express floor, GET: ${fixed(nestGet / expressGet, 2)} (Nest's own cost)`);
  const saturated = Object.values(floors)
    .flatMap((f) => Object.values(f))
    .some((row) => row.wrkCpuPercent > 85);
  if (saturated)
    out(
      'note: wrk used more than 85% of its CPU on a floor load: that floor may be held back by it',
    );
  for (const [variant, result] of Object.entries(api)) {
    const rows = Object.values(result.loads);
    const logPerRequest =
      rows.reduce((n, r) => n + r.logBytesPerRequest * r.requests, 0) /
      Math.max(
        rows.reduce((n, r) => n + r.requests, 0),
        1,
      );
    out(
      `API ${variant}: boot to ready ${Math.round(result.bootMs)} ms (median of ` +
        `${result.bootsMs.map((b) => Math.round(b)).join(', ')}); RSS ${fixed(result.rssMb.atReady, 0)} MB ` +
        `at ready, ${result.rssMb.afterMinute === null ? `- (only ${Math.round(result.rssMb.underLoadSeconds)} s of load)` : `${fixed(result.rssMb.afterMinute, 0)} MB`} after a minute of load, ` +
        `${fixed(result.rssMb.peak, 0)} MB at most; ${Math.round(logPerRequest)} log bytes per request` +
        (result.profile ? `; profiled (figures include the profiler): ${result.profile.file}` : ''),
    );
  }
  for (const [variant, result] of Object.entries(api)) {
    if (variant === first) continue;
    const parts = Object.entries(result.loads).map(([load, row]) => {
      const base = api[first].loads[load];
      return base
        ? `${LOADS[load].label} ${fixed(row.requestsPerSecond / base.requestsPerSecond, 2)}x req/s, ` +
            `${fixed(row.cpuUsPerRequest / base.cpuUsPerRequest, 2)}x CPU/req`
        : null;
    });
    out(`${variant} against ${first}: ${parts.filter(Boolean).join('; ')}`);
  }
  out();
  out(`Targets (API ${first}, ratios from this run):`);
  for (const t of Object.values(targets)) {
    const verdict = t.met === null ? 'n/a   ' : t.met ? 'met   ' : 'MISSED';
    const value =
      t.value === null ? 'not measured' : fixed(t.value, Number.isInteger(t.value) ? 0 : 2);
    out(`  ${verdict} ${pad(t.name, 62)} ${value}`);
  }
}

module.exports = { targetsOf, printReport, resultsJson };
