import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sleep } from './eventually';
import type { HttpsClient } from './https-client';
import { freePort } from './ports';

/** Where the built API is: `make build` (or a private API_DIST_DIR build). */
export function apiBundle(): string {
  const dist = resolve(process.env.API_DIST_DIR ?? 'dist/apps/api');
  const main = join(dist, 'main.js');
  if (!existsSync(main)) {
    throw new Error(`${main} is missing: build the API first (make build, or npx nest build api)`);
  }
  return main;
}

/**
 * The image's command line (docker/Dockerfile's CMD, exec form), which the chart, the SCONE files
 * and the benchmark follow: `node <flags> dist/apps/api/main.js`.
 */
export function imageCommand(): string[] {
  const dockerfile = readFileSync(join(__dirname, '..', '..', 'docker', 'Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  if (!cmd) throw new Error('docker/Dockerfile has no CMD in exec form');
  return JSON.parse(cmd[1]) as string[];
}

/** The flags the image starts Node with (between `node` and main.js in its CMD). */
export function imageNodeFlags(): string[] {
  return imageCommand().slice(1, -1);
}

/**
 * The real API process (`node <the image's flags> dist/apps/api/main.js`) on a free loopback
 * port.
 */
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
    const child = spawn(process.execPath, [...imageNodeFlags(), apiBundle()], {
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
