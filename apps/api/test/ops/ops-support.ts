import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { mintDevToken } from '../../src/auth/dev-token';
import type { DevSecrets } from '@test/support/dev-secrets';
import { HttpsClient } from '@test/support/https-client';
import { freePort } from '@test/support/ports';
import { seedWith } from '@test/support/seed';

/** Polls until `ok` holds (returns the last value either way; the caller asserts on it). */
export async function eventually<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 20000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Settings every ops test wants: quiet logs, no rate limit (the tests make load). */
export function opsEnv(secrets: DevSecrets): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DEV_STATE_DIR: secrets.stateDir,
    RATE_LIMIT_PER_MINUTE: '0',
  };
}

/** A bearer token with every scope, signed with the dev key the API trusts. */
export async function bearerHeader(secrets: DevSecrets): Promise<Record<string, string>> {
  const config = loadConfig({ DEV_STATE_DIR: secrets.stateDir });
  const token = await mintDevToken(await secrets.source.jwtSigningKey(), config);
  return { authorization: `Bearer ${token}` };
}

/** Where the built API is: `make build` (or a private API_DIST_DIR build). */
export function apiBundle(): string {
  const dist = resolve(process.env.API_DIST_DIR ?? 'dist/apps/api');
  const main = join(dist, 'main.js');
  if (!existsSync(main)) {
    throw new Error(`${main} is missing: build the API first (make build, or npx nest build api)`);
  }
  return main;
}

/** The real API process (`node dist/apps/api/main.js`) on a free loopback port. */
export class ApiProcess {
  private output = '';
  private exitCode: number | null = null;
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((done) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        done(code);
      }),
    );
  }

  static async start(env: Record<string, string>): Promise<ApiProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [apiBundle()], {
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ApiProcess(child, port);
  }

  get url(): string {
    return `https://localhost:${this.port}`;
  }

  get logs(): string {
    return this.output;
  }

  get running(): boolean {
    return this.exitCode === null && this.child.exitCode === null;
  }

  /** Resolves once /health/ready answers 200; throws with the process output otherwise. */
  async waitUntilReady(client: HttpsClient, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the API exited (${this.exitCode}):\n${this.output}`);
      const res = await client.get('/health/ready', { timeoutMs: 2000 }).catch(() => null);
      if (res?.status === 200) return;
      await sleep(200);
    }
    throw new Error(`the API did not become ready:\n${this.output}`);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** The exit code, or null if it has not exited within `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<number | null | 'running'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'running'>((done) => {
      timer = setTimeout(() => done('running'), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** For afterAll: make sure nothing is left running. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The record a test stores under `id`: the seed, with a last name derived from the id. */
export function recordFor(id: string): Record<string, string> {
  return seedWith({ lname: lastNameFor(id) });
}

export function lastNameFor(id: string): string {
  return `L${id.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** Every page of GET /patients, in order. */
export async function listAll(client: HttpsClient, limit = 7): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const res = await client.get(`/patients?limit=${limit}${query}`);
    if (res.status !== 200) throw new Error(`GET /patients answered ${res.status}: ${res.text}`);
    const page = res.json() as { items: Array<{ id: string }>; nextCursor: string | null };
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

/**
 * Every endpoint once over: create `count` records, read, score, replace, erase one, list.
 * Returns the ids that remain.
 */
export async function exerciseEveryEndpoint(
  client: HttpsClient,
  prefix: string,
  count: number,
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);
  const created = await Promise.all(
    ids.map((id) => client.post(`/patient/${id}`, { form: recordFor(id) })),
  );
  expect(created.map((res) => res.status)).toEqual(ids.map(() => 200));
  expect((await client.post(`/patient/${ids[0]}`, { form: recordFor(ids[0]) })).status).toBe(409);

  for (const id of ids) {
    const read = await client.get(`/patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.json()).toMatchObject({ id, lname: lastNameFor(id) });
  }
  const score = await client.get(`/score/${ids[1]}`);
  expect(score.status).toBe(200);
  expect(score.json()).toMatchObject({ id: ids[1], cci: 2 });

  const before = await client.get(`/patient/${ids[2]}`);
  const replaced = await client.put(`/patient/${ids[2]}`, {
    form: { ...recordFor(ids[2]), city: 'Tacoma' },
    headers: { 'if-match': String(before.headers.etag) },
  });
  expect(replaced.status).toBe(200);
  const reread = (await client.get(`/patient/${ids[2]}`)).json() as { city: string };
  expect(reread.city).toBe('Tacoma');

  expect((await client.delete(`/patient/${ids[3]}`)).status).toBe(204);
  expect((await client.get(`/patient/${ids[3]}`)).status).toBe(404);

  const remaining = ids.filter((id) => id !== ids[3]);
  const listed = await listAll(client);
  expect(listed.filter((id) => id.startsWith(`${prefix}-`))).toEqual(remaining);
  return remaining;
}
