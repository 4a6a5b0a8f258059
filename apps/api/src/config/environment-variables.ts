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

  @IsString()
  @IsNotEmpty()
  HOST = '0.0.0.0';

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

  /** Refuse to start unless the attestation provider reports a TEE. */
  @Transform(toBool)
  @IsBoolean({ message: 'ATTESTATION_REQUIRED must be true or false' })
  ATTESTATION_REQUIRED = false;

  /** Gramine's attestation pseudo-files. */
  @IsString()
  @IsNotEmpty()
  ATTESTATION_DIR = '/dev/attestation';

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

  /** At most one JWKS refetch (for an unknown kid) per this many seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  AUTH_JWKS_COOLDOWN_S = 30;

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
