import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';

/** The port SCONE CAS serves its client API on. */
export const CAS_DEFAULT_PORT = 8081;

const DEFAULT_TIMEOUT_MS = 10_000;
/** A values document is a few PEM certificates; anything far larger is not CAS. */
const MAX_BODY_BYTES = 1024 * 1024;
/** CAS session names: URI unreserved characters, namespaces separated by `/`. */
const SESSION_NAME = /^[A-Za-z0-9_.~-]{1,128}(\/[A-Za-z0-9_.~-]{1,128})*$/;

/** Codes Node gives when a peer's certificate fails verification. */
const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
]);

export interface CasAddress {
  host: string;
  port: number;
}

/** A CAS public value: `value` is the secret (a PEM for certificates); CAS may add fields. */
export interface CasValue {
  value?: unknown;
  [field: string]: unknown;
}

export interface CasClientOptions {
  /** `host`, `host:port` or `[ipv6]:port`; the port defaults to 8081. */
  address: string | CasAddress;
  /**
   * PEM of the CA CAS's certificate must chain to (the output of `scone cas show-certificate`).
   * Without it, the system's CAs are trusted.
   */
  ca?: string;
  /** Do not verify CAS's certificate at all, like `curl -k`. Anyone on the path can answer. */
  insecure?: boolean;
  /** The name CAS's certificate must be issued for; the host by default. */
  servername?: string;
  /** How long CAS may stay silent before the request fails. */
  timeoutMs?: number;
}

/** CAS could not be asked, or answered something other than the values asked for. */
export class CasError extends Error {
  override readonly name = 'CasError';
}

/** Parses `host[:port]` (an `https://` prefix and a trailing `/` are tolerated). */
export function parseCasAddress(text: string): CasAddress {
  const trimmed = text
    .trim()
    .replace(/^https:\/\//i, '')
    .replace(/\/+$/, '');
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:/[\]]+))(?::(\d{1,5}))?$/.exec(trimmed);
  const port = match?.[3] === undefined ? CAS_DEFAULT_PORT : Number(match[3]);
  if (!match || port < 1 || port > 65535) {
    throw new CasError(`"${printable(text)}" is not a CAS address; give HOST or HOST:PORT`);
  }
  return { host: match[1] ?? match[2], port };
}

/**
 * Reads the values a CAS session exports publicly (`export_public: true`), such as the API CA
 * that clients trust: `GET /v1/values/session=NAME` answers `{"values": {NAME: {"value": ...}}}`,
 * and an error object `{"msg": [...]}` when CAS refuses.
 */
export class CasClient {
  private readonly address: CasAddress;

  constructor(private readonly options: CasClientOptions) {
    this.address =
      typeof options.address === 'string' ? parseCasAddress(options.address) : options.address;
  }

  /** `host:port` as the user would write it. */
  get where(): string {
    const { host, port } = this.address;
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }

  /** Every public value of a session, by secret name. */
  async publicValues(session: string): Promise<Record<string, CasValue>> {
    if (!SESSION_NAME.test(session)) {
      throw new CasError(
        `"${printable(session)}" is not a CAS session name (letters, digits, _ . ~ - and / only)`,
      );
    }
    const { status, body } = await this.get(`/v1/values/session=${session}`);
    let document: unknown;
    try {
      document = JSON.parse(body);
    } catch {
      throw new CasError(
        `CAS at ${this.where} answered HTTP ${status} with a body that is not JSON`,
      );
    }
    const messages = casMessages(document);
    if (messages !== null) {
      throw new CasError(
        `CAS at ${this.where} refused (HTTP ${status}): ${messages.join('; ') || 'no reason given'}`,
      );
    }
    if (status < 200 || status > 299) {
      throw new CasError(`CAS at ${this.where} answered HTTP ${status}`);
    }
    const values = isObject(document) ? document.values : undefined;
    if (!isObject(values)) {
      throw new CasError(`CAS at ${this.where} answered without a "values" object`);
    }
    return values as Record<string, CasValue>;
  }

  /** One public value of a session, as text (a PEM for certificates). */
  async publicValue(session: string, name: string): Promise<string> {
    const values = await this.publicValues(session);
    const entry = Object.hasOwn(values, name) ? values[name] : undefined;
    if (entry === undefined) {
      const exported = Object.keys(values).map(printable);
      throw new CasError(
        `session "${session}" exports no public value "${printable(name)}" ` +
          (exported.length > 0 ? `(it exports: ${exported.join(', ')})` : '(it exports none)'),
      );
    }
    if (!isObject(entry) || typeof entry.value !== 'string' || entry.value === '') {
      throw new CasError(`the public value "${printable(name)}" of session "${session}" is empty`);
    }
    return entry.value;
  }

  private get(path: string): Promise<{ status: number; body: string }> {
    const { host, port } = this.address;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          path,
          method: 'GET',
          headers: { accept: 'application/json' },
          ca: this.options.ca,
          rejectUnauthorized: !this.options.insecure,
          servername: this.options.servername,
          timeout: timeoutMs,
          agent: false,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
              req.destroy(new CasError(`CAS at ${this.where} answered more than 1 MiB`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', (error) => reject(this.describe(error)));
        },
      );
      req.on('timeout', () =>
        req.destroy(new CasError(`CAS at ${this.where} did not answer within ${timeoutMs} ms`)),
      );
      req.on('error', (error) => reject(this.describe(error)));
      req.end();
    });
  }

  private describe(error: Error): CasError {
    if (error instanceof CasError) return error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      const name = this.options.servername ?? this.address.host;
      return new CasError(
        `CAS at ${this.where} presented a certificate that is not issued for "${name}" ` +
          '(give --servername with the name it is issued for)',
      );
    }
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
      return new CasError(
        `CAS at ${this.where} presented a certificate outside its validity period (${code})`,
      );
    }
    if (CERTIFICATE_ERRORS.has(code)) {
      return new CasError(
        `CAS at ${this.where} presented a certificate that does not verify against ` +
          `${this.options.ca ? 'the CAS CA given' : "the system's CAs"} (${code}); ` +
          'give the CAS CA from "scone cas show-certificate" with --cas-ca',
      );
    }
    if (UNREACHABLE.has(code)) return new CasError(`cannot reach CAS at ${this.where} (${code})`);
    return new CasError(`request to CAS at ${this.where} failed: ${error.message}`);
  }
}

/** The messages of a CAS error object `{"msg": [...]}`, or null if the document is not one. */
function casMessages(document: unknown): string[] | null {
  if (!isObject(document) || !('msg' in document)) return null;
  const msg = document.msg;
  const list = Array.isArray(msg) ? (msg as unknown[]) : [msg];
  return list
    .map((m) => printable(typeof m === 'string' ? m : JSON.stringify(m)))
    .filter((m) => m !== '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text from the network or the command line, safe to print: no control characters, bounded. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}
