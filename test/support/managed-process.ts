import { ChildProcess, spawn } from 'node:child_process';

/**
 * A server process for tests: started, considered up once its output matches `ready`, and
 * stopped (SIGTERM) or killed (SIGKILL) on demand; restartable with the same arguments.
 */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private log = '';

  constructor(
    private readonly name: string,
    private readonly command: string,
    private readonly args: () => string[],
    private readonly ready: RegExp,
    private readonly startTimeoutMs = 10000,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  get output(): string {
    return this.log;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.log = '';
    const child = spawn(this.command, this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not start:\n${this.log}`)),
        this.startTimeoutMs,
      );
      const onData = (chunk: Buffer) => {
        this.log += chunk.toString();
        if (this.ready.test(this.log)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code}):\n${this.log}`));
      });
    });
  }

  /** Sends `signal` and waits until the process is gone. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.child = null;
  }
}

/** Starts a group of processes with `start`; if that fails, stops the group and rethrows. */
export async function startGroup<T extends { stop(): Promise<void> }>(
  group: T,
  start: () => Promise<void>,
): Promise<T> {
  try {
    await start();
    return group;
  } catch (error) {
    await group.stop();
    throw error;
  }
}
