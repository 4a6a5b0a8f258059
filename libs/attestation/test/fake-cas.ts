import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAuthority, issueCertificate, type PemPair } from '@app/secrets';

/** What the fake CAS answers to one request. `hang`: accept, then never answer. */
export type FakeCasAnswer =
  | { status: number; json: unknown }
  | { status: number; text: string; contentType?: string }
  | 'hang';

/** A CAS CA and a CAS server certificate issued by it (for `cas`, localhost and 127.0.0.1). */
export interface FakeCasPki {
  ca: string;
  server: PemPair;
}

export async function makeCasPki(commonName = 'Fake CAS CA'): Promise<FakeCasPki> {
  const ca = await createAuthority(commonName);
  const server = await issueCertificate(ca, {
    commonName: 'cas',
    dnsNames: ['cas', 'localhost'],
    ipAddresses: ['127.0.0.1'],
    usages: ['server'],
  });
  return { ca: ca.pair.cert, server };
}

/**
 * A real HTTPS server on loopback that answers like SCONE CAS's values API:
 * `GET /v1/values/session=NAME` → `{"values": {...}}`, or `{"msg": [...]}` when it refuses.
 * `sessions` holds what each session exports publicly; `answer` overrides everything.
 */
export class FakeCas {
  readonly sessions = new Map<string, Record<string, unknown>>();
  readonly paths: string[] = [];
  answer: ((path: string) => FakeCasAnswer) | null = null;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(tls: PemPair): Promise<FakeCas> {
    const server = createServer({ cert: tls.cert, key: tls.key });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const cas = new FakeCas(server, (server.address() as AddressInfo).port);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => cas.handle(req, res));
    return cas;
  }

  /** `127.0.0.1:<port>`, as given to --cas. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '';
    this.paths.push(path);
    const answer = this.answer ? this.answer(path) : this.standard(path);
    if (answer === 'hang') return;
    if ('json' in answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.json));
    } else {
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' });
      res.end(answer.text);
    }
  }

  private standard(path: string): FakeCasAnswer {
    const match = /^\/v1\/values\/session=([^,/?]+(?:\/[^,/?]+)*)$/.exec(path);
    if (!match) return { status: 404, json: { msg: ['Not Found'] } };
    const values = this.sessions.get(match[1]);
    if (!values) {
      return { status: 404, json: { msg: [`session ${match[1]} does not exist`] } };
    }
    return { status: 200, json: { values } };
  }
}
