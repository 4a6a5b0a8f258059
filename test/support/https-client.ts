import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (throws if it is not). */
  json(): any;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as-is (set the content type yourself). */
  body?: string | Buffer;
  /** Sent form-encoded; a string is sent verbatim, as curl -d does. */
  form?: string | Record<string, string>;
  json?: unknown;
  timeoutMs?: number;
}

/** A small HTTPS client that trusts only the given CA, like `curl --cacert`. */
export class HttpsClient {
  readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    readonly ca: string,
    private readonly options: {
      keepAlive?: boolean;
      servername?: string;
      /** Sent with every request unless overridden (e.g. an Authorization header). */
      headers?: Record<string, string>;
      /** Sees every answer, e.g. to check it against the contract; throwing fails the request. */
      onResponse?: (method: string, path: string, result: HttpResult) => void;
    } = {},
  ) {
    this.agent = new Agent({
      ca,
      keepAlive: options.keepAlive ?? true,
      servername: options.servername,
    });
  }

  /** The same server and CA, other default headers (e.g. another token, or none). */
  with(headers: Record<string, string>): HttpsClient {
    return new HttpsClient(this.baseUrl, this.ca, { ...this.options, headers });
  }

  get(path: string, options: RequestOptions = {}): Promise<HttpResult> {
    return this.request('GET', path, options);
  }

  post(path: string, options: RequestOptions = {}): Promise<HttpResult> {
    return this.request('POST', path, options);
  }

  put(path: string, options: RequestOptions = {}): Promise<HttpResult> {
    return this.request('PUT', path, options);
  }

  delete(path: string, options: RequestOptions = {}): Promise<HttpResult> {
    return this.request('DELETE', path, options);
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = { ...this.options.headers, ...options.headers };
    let body: string | Buffer | undefined = options.body;
    if (options.form !== undefined) {
      body =
        typeof options.form === 'string'
          ? options.form
          : new URLSearchParams(options.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        { method, headers, agent: this.agent, timeout: options.timeoutMs ?? 15000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const result: HttpResult = {
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json: () => JSON.parse(text),
            };
            try {
              this.options.onResponse?.(method, path, result);
              resolve(result);
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
