import {
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type KeyLike,
} from 'jose';
import { type Agent, get } from 'node:https';
import { TokenKeysUnavailableError } from './auth-errors';

export interface RemoteKeySetOptions {
  /** At most one fetch per this many milliseconds, whatever the last one's outcome. */
  cooldownMs: number;
  /** A set older than this is refetched before use (kept if the refetch fails). */
  maxAgeMs: number;
  /** Told about every failed fetch (the reason, never a token). */
  onFetchFailed?: (reason: string) => void;
  now?: () => number;
}

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * The identity provider's key set, fetched when first needed, when older than `maxAgeMs`, and
 * when a token names a kid it lacks (key rotation). Unlike jose's remote set, the cooldown counts
 * failed fetches too: a failing or hanging IdP sees at most one fetch per cooldown, however many
 * tokens arrive, and until the next fetch may start a token the set cannot check is refused at
 * once with TokenKeysUnavailableError (503). Concurrent callers share one fetch. The last good
 * set keeps verifying the kids it holds while refetches fail.
 */
export class RemoteKeySet {
  private keys?: LocalKeySet;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private lastFailed = false;
  private pending?: Promise<boolean>;
  private readonly now: () => number;

  constructor(
    private readonly fetchKeys: () => Promise<unknown>,
    private readonly options: RemoteKeySetOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The key for a token's header, as jose's jwtVerify asks for it. */
  readonly getKey = async (
    header: JWSHeaderParameters,
    token: FlattenedJWSInput,
  ): Promise<KeyLike | Uint8Array> => {
    if (!this.keys || this.now() - this.fetchedAt >= this.options.maxAgeMs) await this.refresh();
    if (!this.keys) throw this.unavailable();
    try {
      return await this.keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // An unknown kid: the IdP may have rotated its keys since the set was fetched.
      if (await this.refresh()) return this.keys(header, token);
      if (this.lastFailed) throw this.unavailable();
      throw error;
    }
  };

  /** Fetches the set unless in cooldown (or joins the fetch under way); true if it got one. */
  private refresh(): Promise<boolean> {
    if (this.pending) return this.pending;
    const now = this.now();
    if (now - this.attemptedAt < this.options.cooldownMs) return Promise.resolve(false);
    this.attemptedAt = now;
    const attempt = this.fetchKeys()
      .then((jwks) => createLocalJWKSet(jwks as JSONWebKeySet))
      .then(
        (keys) => {
          this.keys = keys;
          this.fetchedAt = this.now();
          this.lastFailed = false;
          return true;
        },
        (error: unknown) => {
          this.lastFailed = true;
          this.options.onFetchFailed?.(error instanceof Error ? error.message : String(error));
          return false;
        },
      )
      .finally(() => {
        this.pending = undefined;
      });
    this.pending = attempt;
    return attempt;
  }

  private unavailable(): TokenKeysUnavailableError {
    return new TokenKeysUnavailableError('token keys could not be fetched');
  }
}

/** A JWKS is a few keys; anything much larger is not one. */
const MAX_JWKS_BYTES = 512 * 1024;

/** GETs a JWKS over HTTPS: 200 and JSON within `timeoutMs` (connect to last byte), else throws. */
export function fetchJwks(url: URL, timeoutMs: number, agent?: Agent): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = get(
      url,
      { agent, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        if (res.statusCode !== 200) {
          req.destroy(new Error(`the JWKS URL answered ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_JWKS_BYTES) req.destroy(new Error('the JWKS is too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new Error('the JWKS is not JSON'));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', (error) =>
      reject(
        error.name === 'AbortError'
          ? new Error(`the JWKS URL did not answer within ${timeoutMs} ms`)
          : error,
      ),
    );
  });
}
