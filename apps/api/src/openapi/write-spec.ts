import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import type { OpenAPIObject } from '@nestjs/swagger';

/** Recursively sorts object keys (arrays keep their order), so the committed spec diffs small. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/** Writes openapi.json and openapi.yaml into `dir`. */
export async function writeSpec(document: OpenAPIObject, dir: string): Promise<void> {
  const sorted = sortKeys(document);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'openapi.json'), JSON.stringify(sorted, null, 2) + '\n');
  await writeFile(join(dir, 'openapi.yaml'), dump(sorted, { noRefs: true, lineWidth: 100 }));
}
