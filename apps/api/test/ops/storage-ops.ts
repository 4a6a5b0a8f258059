import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RedisClient } from '@app/storage';
import { indexKey, parseRecordKey } from '@app/storage/redis/redis-key-layout';
import { apiBundle } from '@test/support/api-process';
import { sleep } from '@test/support/eventually';
import type { HttpsClient } from '@test/support/https-client';
import { recordFor } from './ops-support';

/** The tenant of AUTH_MODE=none, the original's open demo. */
export const DEMO_TENANT = 'default';

export interface Attempt<P extends string> {
  id: string;
  /** The phase the request was sent and answered in; `straddle` if they differ. */
  phase: P | 'straddle';
  status: number;
  retryAfter?: string;
}

/** Longest a call may take: well above REDIS_COMMAND_TIMEOUT_MS, far below "hung". */
const CLIENT_TIMEOUT_MS = 5000;

/**
 * Workers creating records one after another (ids `<prefix>-w<i>-n<j>`), each attempt noted with
 * the phase the test was in. A call that hangs past the client timeout rejects, failing the test.
 */
export function createLoad<P extends string>(
  client: HttpsClient,
  prefix: string,
  first: P,
  workers = 6,
) {
  let phase: P = first;
  let running = true;
  const attempts: Array<Attempt<P>> = [];
  const worker = async (w: number) => {
    for (let n = 0; running; n++) {
      const id = `${prefix}-w${w}-n${n}`;
      const sentIn = phase;
      const res = await client.post(`/patient/${id}`, {
        form: recordFor(id),
        timeoutMs: CLIENT_TIMEOUT_MS,
      });
      attempts.push({
        id,
        phase: sentIn === phase ? sentIn : 'straddle',
        status: res.status,
        retryAfter: res.headers['retry-after'],
      });
      if (res.status !== 200) await sleep(20);
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return {
    attempts,
    enter(next: P) {
      phase = next;
    },
    count: (p: P, status: number) =>
      attempts.filter((a) => a.phase === p && a.status === status).length,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** What the tenant's records and its index hold, straight from Redis, compared both ways. */
export async function indexCensus(direct: RedisClient, tenant = DEMO_TENANT) {
  const stored: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await direct.scan(cursor, 'MATCH', `patient:{${tenant}}:*`, 'COUNT', 1000);
    cursor = next;
    stored.push(...keys.map((key) => parseRecordKey(key)!.id));
  } while (cursor !== '0');
  const indexed = await direct.zrange(indexKey(tenant), '0', '-1');
  const listed = new Set(indexed);
  const present = new Set(stored);
  return {
    stored: [...present].sort(),
    /** Records no listing shows. */
    unlisted: [...present].filter((id) => !listed.has(id)).sort(),
    /** Index entries without a record. */
    orphans: indexed.filter((id) => !present.has(id)).sort(),
  };
}

/** The redis-server's process id, to freeze it (SIGSTOP) as a hung host would. */
export async function redisPid(direct: RedisClient): Promise<number> {
  const info = await direct.info('server');
  return Number(/^process_id:(\d+)/m.exec(info)?.[1]);
}

/** Which of `needles` occur in some file under `dir` (the Redis data folder, say). */
export async function foundOnDisk(dir: string, needles: string[]): Promise<string[]> {
  const found = new Set<string>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const content = await readFile(path).catch(() => Buffer.alloc(0));
        for (const needle of needles) if (content.includes(needle)) found.add(needle);
      }
    }
  };
  await walk(dir);
  return needles.filter((needle) => found.has(needle));
}

/** Counters of INFO persistence, e.g. `aof_rewrites`. */
export async function persistenceInfo(direct: RedisClient): Promise<Record<string, string>> {
  const info = await direct.info('persistence');
  return Object.fromEntries(
    info
      .split(/\r?\n/)
      .filter((line) => line.includes(':'))
      .map((line) => line.split(':', 2) as [string, string]),
  );
}

export interface CommandRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a built storage command (`node <dist>/<name>.js`); `onProgress` sees the largest
 * `<n>/<total> records` its progress bar has printed so far, with the child (to kill it).
 */
export function runBuiltCommand(
  name: 'keys-rotate' | 'tenants-migrate' | 'audit-verify',
  env: Record<string, string>,
  args: string[] = [],
  onProgress?: (seen: number, child: ChildProcess) => void,
): Promise<CommandRun> {
  const child = spawn(process.execPath, [join(dirname(apiBundle()), `${name}.js`), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const seen = [...stderr.matchAll(/ (\d+)\/(\d+) records/g)].map((m) => Number(m[1]));
    if (seen.length > 0) onProgress?.(Math.max(...seen), child);
  });
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}
