import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

const toBool = ({ value }: { value: unknown }): unknown => {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  return value;
};

/** host:port, comma-separated. */
const NODE_LIST = /^\s*[^\s:,]+:\d{1,5}\s*(,\s*[^\s:,]+:\d{1,5}\s*)*$/;

/** host:port=host:port, comma-separated. */
const NAT_MAP =
  /^\s*[^\s:,=]+:\d{1,5}=[^\s:,=]+:\d{1,5}\s*(,\s*[^\s:,=]+:\d{1,5}=[^\s:,=]+:\d{1,5}\s*)*$/;

/**
 * Every environment variable the service reads, validated once at boot. Property names are the
 * variable names, so a validation error names the variable to fix.
 */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 4996;

  /**
   * HTTPS port of the management listener (/metrics, /docs, /openapi.*, /health/*); unset: none.
   * In production those are served only there, never on PORT.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  MANAGEMENT_PORT?: number;

  /** Address to listen on; unset: 0.0.0.0 in production, 127.0.0.1 otherwise. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  HOST?: string;

  @IsIn(['memory', 'redis'])
  STORAGE_DRIVER: 'memory' | 'redis' = 'memory';

  @IsIn(['standalone', 'sentinel', 'cluster'])
  REDIS_MODE: 'standalone' | 'sentinel' | 'cluster' = 'standalone';

  @ValidateIf(
    (env: EnvironmentVariables) =>
      env.STORAGE_DRIVER === 'redis' && env.REDIS_MODE === 'standalone',
  )
  @IsString()
  @IsNotEmpty({ message: 'REDIS_HOST is required when STORAGE_DRIVER=redis' })
  REDIS_HOST?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  REDIS_PORT = 6379;

  @ValidateIf(
    (env: EnvironmentVariables) =>
      env.STORAGE_DRIVER === 'redis' && env.REDIS_MODE !== 'standalone',
  )
  @Matches(NODE_LIST, { message: 'REDIS_NODES must be a list of host:port, comma-separated' })
  REDIS_NODES?: string;

  @ValidateIf(
    (env: EnvironmentVariables) => env.STORAGE_DRIVER === 'redis' && env.REDIS_MODE === 'sentinel',
  )
  @IsString()
  @IsNotEmpty({ message: 'REDIS_SENTINEL_MASTER is required when REDIS_MODE=sentinel' })
  REDIS_SENTINEL_MASTER?: string;

  /**
   * sentinel/cluster: announced address = reachable address, comma-separated
   * (`10.0.0.5:6379=redis-0.example:6379,...`), for nodes that announce unreachable addresses.
   */
  @IsOptional()
  @Matches(NAT_MAP, {
    message: 'REDIS_NAT_MAP must be a list of host:port=host:port, comma-separated',
  })
  REDIS_NAT_MAP?: string;

  /**
   * Replicas that must have a write before it is answered 200 (Redis WAIT, within half of
   * REDIS_COMMAND_TIMEOUT_MS; else 503), so a failover cannot lose it. 0: the master's word.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10)
  REDIS_WAIT_REPLICAS = 0;

  @IsString()
  @IsNotEmpty()
  REDIS_TLS_SERVERNAME = 'redis';

  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60000)
  REDIS_COMMAND_TIMEOUT_MS = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60000)
  REDIS_CONNECT_TIMEOUT_MS = 3000;

  /**
   * Seconds after an erasure within which Redis rewrites its append-only file, so that the erased
   * record leaves the disk too (debounced: one rewrite for the erasures of that time); 0: at once.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86400)
  ERASURE_COMPACTION_S = 300;

  /**
   * `env` reads API_TLS_CERT, API_TLS_KEY, API_TLS_CA, REDIS_TLS_CA, REDIS_TLS_CERT,
   * REDIS_TLS_KEY, RECORD_KEY, RECORD_KEYS_PREVIOUS and JWT_PUBLIC_KEYS (filled by a CAS policy);
   * the secret source validates them, naming the variable.
   */
  @IsIn(['dev', 'files', 'env'])
  SECRETS_SOURCE: 'dev' | 'files' | 'env' = 'dev';

  @ValidateIf((env: EnvironmentVariables) => env.SECRETS_SOURCE === 'files')
  @IsString()
  @IsNotEmpty({ message: 'SECRETS_DIR is required when SECRETS_SOURCE=files' })
  SECRETS_DIR?: string;

  @IsString()
  @IsNotEmpty()
  DEV_STATE_DIR = '.data';

  /** Evidence GET /attestation gives: `auto` picks gramine, then scone, then none. */
  @IsIn(['none', 'scone', 'gramine', 'auto'])
  ATTESTATION_PROVIDER: 'none' | 'scone' | 'gramine' | 'auto' = 'none';

  /** Refuse to start unless the provider establishes a TEE itself (never under SCONE). */
  @Transform(toBool)
  @IsBoolean({ message: 'ATTESTATION_REQUIRED must be true or false' })
  ATTESTATION_REQUIRED = false;

  /** Gramine's attestation pseudo-files. */
  @IsString()
  @IsNotEmpty()
  ATTESTATION_DIR = '/dev/attestation';

  /** How long GET /attestation waits for Gramine's quote before answering 503. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120000)
  ATTESTATION_TIMEOUT_MS = 5000;

  /** `<session>/<service>` of the CAS policy; set by SCONE (reported by the scone provider). */
  @IsOptional()
  @IsString()
  SCONE_CONFIG_ID?: string;

  @IsOptional()
  @IsString()
  SCONE_CAS_ADDR?: string;

  @IsOptional()
  @IsString()
  SCONE_LAS_ADDR?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 64 * 1024;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300000)
  SHUTDOWN_TIMEOUT_MS = 10000;

  /** A connection that has not finished its TLS handshake within this time is dropped. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120000)
  TLS_HANDSHAKE_TIMEOUT_MS = 10000;

  /** A request whose headers have not all arrived within this time is answered 408. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(300000)
  HTTP_HEADERS_TIMEOUT_MS = 10000;

  /** A request (headers and body) not received in full within this time is answered 408. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3600000)
  HTTP_REQUEST_TIMEOUT_MS = 30000;

  /** An idle keep-alive connection is closed after this time. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 5000;

  /** Open connections from one client address (a proxy is one address); 0: no cap. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  HTTP_MAX_CONNECTIONS_PER_ADDRESS = 1000;

  /** /health/ready answers 503 when storage does not answer a ping within this time. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60000)
  HEALTH_TIMEOUT_MS = 1000;

  /** `jwt`: every record call needs a bearer token. `none`: the original's open demo. */
  @IsIn(['jwt', 'none'])
  AUTH_MODE: 'jwt' | 'none' = 'jwt';

  /** Required in production; the dev default matches the tokens the dev profile mints. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  AUTH_ISSUER?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  AUTH_AUDIENCE?: string;

  @IsOptional()
  @Matches(/^https:\/\/\S+$/, { message: 'AUTH_JWKS_URL must be an https:// URL' })
  AUTH_JWKS_URL?: string;

  /** CA certificate (PEM file) to verify the JWKS server with, when it is not publicly trusted. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  AUTH_JWKS_CA_FILE?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  AUTH_CLOCK_SKEW_S = 30;

  /** At most one JWKS fetch per this many seconds, failed ones included. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  AUTH_JWKS_COOLDOWN_S = 30;

  /** A JWKS fetch that takes longer is abandoned (the request answers 503). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(30000)
  AUTH_JWKS_TIMEOUT_MS = 1500;

  /** The `typ` values accepted (RFC 8725 §3.11), comma-separated, compared as media types. */
  @Matches(/^\s*[\w.+/-]+\s*(,\s*[\w.+/-]+\s*)*$/, {
    message: 'AUTH_TOKEN_TYPES must be comma-separated media types, e.g. at+jwt,JWT',
  })
  AUTH_TOKEN_TYPES = 'at+jwt,JWT';

  /** A token is refused this many seconds after its `iat`, whatever its `exp` says. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(30 * 86400)
  AUTH_MAX_TOKEN_AGE_S = 86400;

  /**
   * `sync`: a record is disclosed only once the audit event of its read is stored (reads of
   * concurrent requests share one round trip). `async`: reads are answered without waiting; a
   * crash may lose the last second of read events. Writes store their event with the change
   * either way.
   */
  @IsIn(['sync', 'async'])
  AUDIT_DURABILITY: 'sync' | 'async' = 'sync';

  /** How often the heads of the audit chains are written to the log (anchors for audit:verify). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  AUDIT_CHECKPOINT_S = 60;

  /** Audit events older than this are trimmed from Redis (GET /audit and the log keep them). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(36500)
  AUDIT_RETENTION_DAYS = 30;

  /** The token claim that names the caller's clinic (tenant); a token without it is refused. */
  @Matches(/^[A-Za-z0-9_:./-]{1,64}$/, { message: 'AUTH_TENANT_CLAIM must be a claim name' })
  AUTH_TENANT_CLAIM = 'tenant';

  /** Requests per minute per client address; 0 turns rate limiting off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;

  /** Browser origins allowed by CORS, comma-separated; none by default (CORS off). */
  @IsOptional()
  @Matches(/^\s*https?:\/\/[^\s,]+(\s*,\s*https?:\/\/[^\s,]+)*\s*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of http(s) origins',
  })
  CORS_ORIGINS?: string;
}
