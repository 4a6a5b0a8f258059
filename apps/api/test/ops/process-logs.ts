import { spawn, type ChildProcess } from 'node:child_process';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { apiBundle, imageNodeFlags } from '@test/support/api-process';

/** A log line of the API as pino writes it. */
export interface LogLine {
  level: number;
  msg: string;
  context?: string;
  req?: { id?: string; method?: string; url?: string };
  res?: { statusCode?: number };
  err?: unknown;
  [field: string]: unknown;
}

export const WARN = 40;
export const ERROR = 50;
export const FATAL = 60;

/** Every line of the output, parsed; throws naming the first line that is not a JSON object. */
export function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

/** Each request's one line (a request line, or an audited request's audit line) among `lines`. */
export function requestLines(lines: LogLine[]): LogLine[] {
  return lines.filter((line) => line.res?.statusCode !== undefined);
}

/** The built API with exactly this environment (no HOST added): its output and exit. */
export class BareApiProcess {
  output = '';
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
  }

  /** `tty`: stdout is a terminal (through `script`, which gives the process a pseudo-terminal). */
  static start(env: Record<string, string>, options: { tty?: boolean } = {}): BareApiProcess {
    const fullEnv = { PATH: process.env.PATH ?? '', ...env };
    // As the image starts it (its CMD's flags).
    const argv = [...imageNodeFlags(), apiBundle()];
    const command = [process.execPath, ...argv].join(' ');
    const child = options.tty
      ? spawn('script', ['-qfec', command, '/dev/null'], { env: fullEnv, stdio: 'pipe' })
      : spawn(process.execPath, argv, { env: fullEnv, stdio: 'pipe' });
    return new BareApiProcess(child);
  }

  /** Resolves once `pattern` shows in the output; throws with the output after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${this.output}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** A TLS connection to the API that we write to by hand (raw HTTP/1.1). */
export class RawConnection {
  private buffer = '';
  private waiting: (() => void) | null = null;
  closed = false;
  closedAt = 0;

  private constructor(private readonly socket: TLSSocket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.waiting?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.closedAt = Date.now();
      this.waiting?.();
    });
  }

  static open(port: number, ca: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connectTls({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () =>
        resolve(new RawConnection(socket)),
      );
      socket.once('error', reject);
    });
  }

  get received(): string {
    return this.buffer;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Reads one response (headers and a Content-Length body); throws after `timeoutMs`. */
  async response(
    timeoutMs = 15000,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.buffer.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(
          lines.map((line) => {
            const colon = line.indexOf(':');
            return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
          }),
        );
        const length = Number(headers['content-length'] ?? 0);
        const body = Buffer.from(this.buffer.slice(end + 4));
        if (body.length >= length) {
          this.buffer = body.subarray(length).toString();
          return {
            status: Number(statusLine.split(' ')[1]),
            headers,
            body: body.subarray(0, length).toString(),
          };
        }
      }
      if (this.closed) throw new Error(`connection closed; got: ${this.buffer}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no complete response in ${timeoutMs} ms; got: ${this.buffer}`);
      await new Promise<void>((done) => {
        this.waiting = done;
        setTimeout(done, left);
      });
    }
  }

  /** Resolves once the server has closed the connection (true), or false after `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 20));
    }
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}
