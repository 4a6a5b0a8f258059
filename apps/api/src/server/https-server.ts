import { Logger } from '@nestjs/common';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { declaresBodyOver } from '../common/http/body-parsing';
import { type Listener, markListener } from './surfaces';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * TLS 1.2 suites: ECDHE key exchange (forward secrecy) with an AEAD cipher only, for ECDSA and
 * RSA certificates. No CBC, no SHA-1 MAC, no static RSA, no CCM8, no ARIA.
 */
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
/** TLS 1.3: Node's own suites (all of them AEAD); without them here Node would turn 1.3 off. */
const TLS13_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
];
export const TLS_CIPHERS = [...TLS13_CIPHERS, ...TLS12_CIPHERS].join(':');

export interface HttpsServerOptions {
  cert: string;
  key: string;
  /** A connection that has not completed its TLS handshake in this time is dropped. */
  handshakeTimeoutMs: number;
  /** Headers not all received in this time: 408, connection closed. */
  headersTimeoutMs: number;
  /** Request (headers and body) not all received in this time: 408, connection closed. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeoutMs: number;
  /** Open connections per client address; 0: no cap. */
  maxConnectionsPerAddress: number;
  /** Bodies over this size: no `100 Continue` (the app answers 413 without reading them). */
  bodyLimitBytes: number;
  /** Which listener this is (default `api`): the app serves each its own paths. */
  listener?: Listener;
}

/**
 * The HTTPS listener (there is no plain-HTTP one). It bounds what slow or idle clients can hold
 * (handshake, headers, request, keep-alive, connections per address) and drains on shutdown:
 * stop accepting, answer what is in flight with `Connection: close`, then close.
 */
export class HttpsServer {
  private readonly server: Server;
  private readonly logger = new Logger('Server');
  /** Every accepted TCP connection (TLS handshake done or not). */
  private readonly sockets = new Set<Socket>();
  private readonly perAddress = new Map<string, number>();
  /** Addresses we said were at their cap, so that it is said once, not per connection. */
  private readonly capped = new Set<string>();
  /** Responses not finished yet. */
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;
  private changed: (() => void) | null = null;

  constructor(
    private readonly options: HttpsServerOptions,
    handler: Handler,
  ) {
    this.server = createServer({
      cert: options.cert,
      key: options.key,
      minVersion: 'TLSv1.2',
      ciphers: TLS_CIPHERS,
      honorCipherOrder: true,
      handshakeTimeout: options.handshakeTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // How often Node checks the two timeouts above (default 30 s, which would let a slow
      // client hold a connection up to 30 s past them).
      connectionsCheckingInterval: Math.max(
        50,
        Math.min(1000, Math.floor(options.headersTimeoutMs / 4)),
      ),
    });
    // Before TLS sees the socket, so a connection over the cap costs no handshake.
    this.server.prependListener('connection', (socket: Socket) => this.accept(socket));
    this.server.on('tlsClientError', (error: Error) => {
      // Scanners, handshake timeouts, clients offering only refused suites: not worth a line each.
      this.logger.debug(`TLS handshake failed: ${error.message}`);
    });
    // Registered before the app's handler, so it sees every request first.
    const listener = options.listener ?? 'api';
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      markListener(req, listener);
      this.track(res);
    });
    this.server.on('request', handler);
    // Our own answer to `Expect: 100-continue`: no go-ahead for a body the app will refuse.
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (!declaresBodyOver(req, options.bodyLimitBytes)) res.writeContinue();
      this.server.emit('request', req, res);
    });
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
   * Stops accepting connections; every answer from now on carries `Connection: close`, and a
   * request that still arrives on an open connection is answered. Waits until every connection
   * has closed, at most until `deadline` (epoch ms); then cuts whatever is left. Resolves true
   * when no request was cut off.
   */
  async drain(deadline: number): Promise<boolean> {
    this.draining = true;
    // Answers not started yet tell their clients to reconnect elsewhere; Node then closes
    // the connection once the answer is sent.
    for (const res of this.inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Connections with no request on them have nothing to wait for (close() does this too).
    this.server.closeIdleConnections();
    const finished = await this.waitUntil(() => this.sockets.size === 0, deadline);
    const cutOff = this.inFlight.size;
    if (!finished) {
      for (const socket of this.sockets) socket.destroy();
    }
    await closed;
    return cutOff === 0;
  }

  private accept(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    const open = (this.perAddress.get(address) ?? 0) + 1;
    const cap = this.options.maxConnectionsPerAddress;
    if (cap > 0 && open > cap) {
      if (!this.capped.has(address)) {
        this.capped.add(address);
        this.logger.warn(`connections refused: ${cap} already open from one client address`);
      }
      socket.destroy();
      return;
    }
    this.perAddress.set(address, open);
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
      if (left < cap) this.capped.delete(address);
      this.changed?.();
    });
  }

  private track(res: ServerResponse): void {
    // While draining, tell keep-alive clients to reconnect elsewhere after this answer.
    if (this.draining) res.shouldKeepAlive = false;
    this.inFlight.add(res);
    res.once('close', () => {
      this.inFlight.delete(res);
      if (this.draining) {
        // A connection whose answer went out before the drain began stays open (keep-alive)
        // once it is idle; on the next turn Node counts it idle and it can be closed.
        setImmediate(() => this.server.closeIdleConnections());
      }
      this.changed?.();
    });
  }

  /** Resolves true once `done()` holds, false if `deadline` passes first. */
  private waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.changed = null;
        resolve(result);
      };
      const timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
      this.changed = () => {
        if (done()) finish(true);
      };
      this.changed();
    });
  }
}
