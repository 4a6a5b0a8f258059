import { createServer, type Server, type ServerOptions } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The HTTPS listener (there is no plain-HTTP one). It counts requests in flight so shutdown
 * can stop accepting, let them finish, and only then return.
 */
export class HttpsServer {
  private readonly server: Server;
  private inFlight = 0;
  private draining = false;
  private idle: (() => void) | null = null;

  constructor(tls: ServerOptions, handler: Handler) {
    this.server = createServer({ ...tls, minVersion: 'TLSv1.2' });
    // Registered before the app's handler, so it sees every request first.
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.inFlight++;
      // While draining, tell keep-alive clients to reconnect elsewhere after this answer.
      if (this.draining) res.setHeader('Connection', 'close');
      res.once('close', () => {
        this.inFlight--;
        if (this.inFlight === 0) this.idle?.();
      });
    });
    this.server.on('request', handler);
  }

  get raw(): Server {
    return this.server;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /**
   * Stops accepting connections and waits for requests in flight, at most `timeoutMs`; then
   * closes whatever is left. Resolves true when every request finished in time.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const finished = await new Promise<boolean>((resolve) => {
      if (this.inFlight === 0) return resolve(true);
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    this.server.closeAllConnections();
    await closed;
    return finished;
  }
}
