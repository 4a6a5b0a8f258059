import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Reading a Helm chart's sources without helm: what the templates read and where. */

export interface TemplateFile {
  /** Path relative to the chart's templates/ folder. */
  name: string;
  text: string;
}

export function readTemplates(chartDir: string): TemplateFile[] {
  const root = join(chartDir, 'templates');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  return walk(root)
    .sort()
    .map((path) => ({ name: relative(root, path), text: readFileSync(path, 'utf8') }));
}

/** Every `.Values.a.b.c` path the templates read, with the files that read it. */
export function valuePathsRead(templates: TemplateFile[]): Map<string, string[]> {
  const paths = new Map<string, string[]>();
  for (const { name, text } of templates) {
    for (const match of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const path = match[1].slice(1);
      paths.set(path, [...new Set([...(paths.get(path) ?? []), name])]);
    }
  }
  return paths;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `values` defines the dotted path (an empty string, list or map counts). */
export function hasPath(values: unknown, path: string): boolean {
  let node: unknown = values;
  for (const key of path.split('.')) {
    if (!isObject(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}

/** Paths read by a template but missing from values.yaml: `path (file, ...)`. */
export function missingValuePaths(templates: TemplateFile[], values: unknown): string[] {
  return [...valuePathsRead(templates)]
    .filter(([path]) => !hasPath(values, path))
    .map(([path, files]) => `${path} (${files.join(', ')})`);
}

/** Leaf paths of values.yaml (a map's path when it is empty). */
export function leafPaths(values: unknown, prefix = ''): string[] {
  if (!isObject(values) || Object.keys(values).length === 0) return prefix ? [prefix] : [];
  return Object.entries(values).flatMap(([key, value]) =>
    leafPaths(value, prefix ? `${prefix}.${key}` : key),
  );
}

/** values.yaml leaves no template reads, neither the leaf nor a map around it (toYaml). */
export function unreadValuePaths(templates: TemplateFile[], values: unknown): string[] {
  const read = [...valuePathsRead(templates).keys()];
  return leafPaths(values).filter(
    (leaf) => !read.some((path) => leaf === path || leaf.startsWith(`${path}.`)),
  );
}

export interface IncludeSite {
  /** The manifest's kind (the document's top-level `kind:`). */
  kind: string;
  /** YAML key path where the include's output lands, e.g. spec.selector.matchLabels. */
  path: string;
  /** The named template included there. */
  template: string;
}

const KEY_LINE = /^(\s*)(?:- )?([A-Za-z0-9_./-]+):(?:\s|$)/;
const INCLUDE = /\{\{-?\s*include\s+"([^"]+)"/;

/**
 * Where each `include` lands in the YAML of each document of a template: the keys above it,
 * found by indentation. Enough to compare selectors with pod labels without rendering.
 */
export function includeSites(text: string): IncludeSite[] {
  const sites: IncludeSite[] = [];
  let stack: Array<{ indent: number; key: string }> = [];
  let kind = '';
  for (const line of text.split('\n')) {
    if (/^---\s*$/.test(line)) {
      stack = [];
      kind = '';
      continue;
    }
    const indent = line.length - line.trimStart().length;
    const include = INCLUDE.exec(line);
    const key = KEY_LINE.exec(line);
    if (key && !line.trimStart().startsWith('{{')) {
      stack = stack.filter((entry) => entry.indent < indent);
      stack.push({ indent, key: key[2] });
      if (indent === 0 && key[2] === 'kind') kind = line.split(':')[1].trim();
    }
    if (include) {
      // A key with its value on the same line (`name: {{ include ... }}`) is the site itself.
      const parents = key ? stack : stack.filter((entry) => entry.indent < indent);
      sites.push({ kind, path: parents.map((entry) => entry.key).join('.'), template: include[1] });
    }
  }
  return sites;
}

/** The bodies of `{{ define "name" }}` blocks (nested if/with/range/end are skipped over). */
export function namedTemplates(text: string): Map<string, string> {
  const defines = new Map<string, string>();
  const actions = /\{\{-?\s*(define|if|with|range|block|end)\b([^}]*)\}\}/g;
  let open: { name: string; start: number } | null = null;
  let depth = 0;
  for (const match of text.matchAll(actions)) {
    const [whole, action, rest] = match;
    const index = match.index ?? 0;
    if (action === 'define' && depth === 0) {
      open = { name: /"([^"]+)"/.exec(rest)?.[1] ?? '', start: index + whole.length };
      depth = 1;
    } else if (action === 'end') {
      depth -= 1;
      if (depth === 0 && open) {
        defines.set(open.name, text.slice(open.start, index));
        open = null;
      }
    } else if (depth > 0) {
      depth += 1;
    }
  }
  return defines;
}

/** Property names of the EnvironmentVariables class: the environment variables the API reads. */
export function envDtoVariables(envDtoSource: string): Set<string> {
  return new Set(
    [...envDtoSource.matchAll(/^ {2}([A-Z][A-Z0-9_]*)[?!]?\s*[:=]/gm)].map((match) => match[1]),
  );
}
