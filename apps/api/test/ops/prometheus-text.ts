/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: it throws
 * on anything a Prometheus server would refuse (bad names, bad escapes, bad values, a TYPE after
 * samples, a family split in two, a duplicate series, histogram buckets that are not cumulative
 * or lack +Inf, a _count that differs from the +Inf bucket).
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<MetricFamily['type'], string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: MetricFamily | null = null;

  const family = (name: string, lineNo: number): MetricFamily => {
    let found = families.get(name);
    if (!found) {
      found = { name, type: 'untyped', samples: [] };
      families.set(name, found);
    } else if (closed.has(name)) {
      throw new Error(`line ${lineNo}: metric family ${name} appears in two places`);
    }
    if (current && current !== found) closed.add(current.name);
    current = found;
    return found;
  };

  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the text must end with a newline');
  text.split('\n').forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!match) return; // an ordinary comment
      const [, keyword, name, rest = ''] = match;
      if (!METRIC_NAME.test(name)) throw new Error(`line ${lineNo}: bad metric name ${name}`);
      const target = family(name, lineNo);
      if (keyword === 'HELP') {
        if (target.help !== undefined) throw new Error(`line ${lineNo}: second HELP for ${name}`);
        target.help = unescape(rest, false, lineNo);
      } else {
        if (!TYPES.has(rest.trim())) throw new Error(`line ${lineNo}: bad type ${rest}`);
        if (target.samples.length > 0) throw new Error(`line ${lineNo}: TYPE after samples`);
        target.type = rest.trim() as MetricFamily['type'];
      }
      return;
    }
    const sample = parseSample(line, lineNo);
    const owner = ownerOf(sample.name, current, families);
    const target = family(owner, lineNo);
    if (!SUFFIXES[target.type].some((suffix) => `${owner}${suffix}` === sample.name)) {
      throw new Error(`line ${lineNo}: ${sample.name} does not belong to ${target.type} ${owner}`);
    }
    const key = `${sample.name}{${Object.entries(sample.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    if (series.has(key)) throw new Error(`line ${lineNo}: duplicate series ${key}`);
    series.add(key);
    target.samples.push(sample);
  });
  for (const found of families.values()) if (found.type === 'histogram') checkHistogram(found);
  return families;
}

/** The family a sample belongs to: the current one when its name fits, else its own. */
function ownerOf(
  name: string,
  current: MetricFamily | null,
  families: Map<string, MetricFamily>,
): string {
  for (const candidate of [current, ...families.values()]) {
    if (!candidate) continue;
    if (SUFFIXES[candidate.type].some((suffix) => `${candidate.name}${suffix}` === name)) {
      return candidate.name;
    }
  }
  return name;
}

function parseSample(line: string, lineNo: number): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`line ${lineNo}: bad sample ${line}`);
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    for (;;) {
      rest = rest.replace(/^\s+/, '');
      if (rest.startsWith('}')) {
        rest = rest.slice(1);
        break;
      }
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(rest);
      if (!label || !LABEL_NAME.test(label[1])) throw new Error(`line ${lineNo}: bad label`);
      if (label[1] in labels) throw new Error(`line ${lineNo}: label ${label[1]} repeated`);
      rest = rest.slice(label[0].length);
      let raw = '';
      for (;;) {
        if (rest.length === 0) throw new Error(`line ${lineNo}: unterminated label value`);
        if (rest[0] === '"') break;
        if (rest[0] === '\\') {
          raw += rest.slice(0, 2);
          rest = rest.slice(2);
        } else {
          raw += rest[0];
          rest = rest.slice(1);
        }
      }
      labels[label[1]] = unescape(raw, true, lineNo);
      rest = rest.slice(1).replace(/^\s+/, '');
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new Error(`line ${lineNo}: expected , or }`);
    }
  }
  const parts = rest.trim().split(/\s+/);
  if (!/^\s/.test(rest) || parts.length < 1 || parts.length > 2) {
    throw new Error(`line ${lineNo}: expected a value after ${name}`);
  }
  const value = parseValue(parts[0], lineNo);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) {
    throw new Error(`line ${lineNo}: bad timestamp ${parts[1]}`);
  }
  return { name, labels, value };
}

function parseValue(text: string, lineNo: number): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new Error(`line ${lineNo}: bad value ${text}`);
  }
  return Number(text);
}

function unescape(raw: string, quoted: boolean, lineNo: number): string {
  return raw.replace(/\\(.)/g, (_all, char: string) => {
    if (char === 'n') return '\n';
    if (char === '\\') return '\\';
    if (char === '"' && quoted) return '"';
    throw new Error(`line ${lineNo}: bad escape \\${char}`);
  });
}

function checkHistogram(family: MetricFamily): void {
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      group.buckets.push([parseValue(le, 0), sample.value]);
    } else if (sample.name.endsWith('_count')) {
      group.count = sample.value;
    }
  }
  for (const [key, group] of groups) {
    const sorted = [...group.buckets].sort(([a], [b]) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i][1] < sorted[i - 1][1]) throw new Error(`${family.name}${key}: not cumulative`);
    }
    const inf = sorted.at(-1);
    if (!inf || inf[0] !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (group.count !== inf[1]) throw new Error(`${family.name}${key}: _count differs from +Inf`);
  }
}
