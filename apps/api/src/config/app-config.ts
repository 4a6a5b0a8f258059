import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { RedisAddress } from '@app/storage';
import { EnvironmentVariables } from './environment-variables';

/** The validated configuration, shaped for the code that uses it. Built once, at boot. */
export class AppConfig {
  readonly nodeEnv!: EnvironmentVariables['NODE_ENV'];
  readonly http!: {
    /** The management listener's port (metrics, docs, contract, health); none when unset. */
    managementPort?: number;
    /** Whether the API listener also serves metrics, docs and the contract (not in production). */
    operationsOnApiListener: boolean;
    port: number;
    host: string;
    bodyLimitBytes: number;
    shutdownTimeoutMs: number;
    tlsHandshakeTimeoutMs: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** 0: no cap. */
    maxConnectionsPerAddress: number;
    rateLimitPerMinute: number;
    /** CORS allow-list; empty: CORS off. */
    corsOrigins: string[];
  };
  readonly storage!: {
    driver: EnvironmentVariables['STORAGE_DRIVER'];
    mode: EnvironmentVariables['REDIS_MODE'];
    host?: string;
    port: number;
    nodes: RedisAddress[];
    sentinelMaster?: string;
    /** Announced `host:port` → where to reach it (sentinel and cluster). */
    natMap?: Record<string, RedisAddress>;
    waitReplicas: number;
    tlsServername: string;
    commandTimeoutMs: number;
    connectTimeoutMs: number;
    erasureCompactionSeconds: number;
  };
  readonly secrets!: {
    source: EnvironmentVariables['SECRETS_SOURCE'];
    dir?: string;
    devStateDir: string;
  };
  readonly attestation!: {
    provider: EnvironmentVariables['ATTESTATION_PROVIDER'];
    required: boolean;
    dir: string;
    timeoutMs: number;
    scone: { configId?: string; casAddr?: string; lasAddr?: string };
  };
  readonly audit!: {
    durability: 'sync' | 'async';
    checkpointSeconds: number;
    retentionDays: number;
  };
  readonly logLevel!: EnvironmentVariables['LOG_LEVEL'];
  readonly health!: { timeoutMs: number };
  readonly auth!: {
    mode: EnvironmentVariables['AUTH_MODE'];
    issuer: string;
    audience: string;
    jwksUrl?: string;
    jwksCaFile?: string;
    jwksCooldownSeconds: number;
    jwksTimeoutMs: number;
    clockSkewSeconds: number;
    /** Accepted `typ` header values, as configured (compared as media types). */
    tokenTypes: string[];
    maxTokenAgeSeconds: number;
    /** The claim naming the caller's clinic. */
    tenantClaim: string;
  };
}

/** Issuer and audience of the tokens the dev profile mints (and trusts). */
export const DEV_TOKEN_ISSUER = 'urn:patient-api:dev';
export const DEV_TOKEN_AUDIENCE = 'patient-api';

/** Bad configuration: the message is one line naming the variable (and never its value). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const PRODUCTION_REFUSALS: Array<[keyof EnvironmentVariables, string, string]> = [
  ['SECRETS_SOURCE', 'dev', 'dev secrets sit on disk in the clear; use files or env'],
  ['STORAGE_DRIVER', 'memory', 'in-memory storage loses every record on restart; use redis'],
  ['AUTH_MODE', 'none', 'anyone who reaches the port would read every record; use jwt'],
];

/** Must be set explicitly in production (the dev defaults would trust nothing real). */
const PRODUCTION_REQUIRED: Array<keyof EnvironmentVariables> = ['AUTH_ISSUER', 'AUTH_AUDIENCE'];

/** Validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  // Empty values count as unset, so `PORT=` falls back to the default like a missing PORT.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const dto = plainToInstance(EnvironmentVariables, present, { excludeExtraneousValues: false });
  const errors = validateSync(dto, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(describe(errors[0]));

  if (dto.NODE_ENV === 'production') {
    for (const [name, refused, why] of PRODUCTION_REFUSALS) {
      if (dto[name] === refused) {
        throw new ConfigError(`${name}=${refused} is refused when NODE_ENV=production: ${why}`);
      }
    }
    for (const name of PRODUCTION_REQUIRED) {
      if (dto[name] === undefined)
        throw new ConfigError(`${name} is required when NODE_ENV=production`);
    }
  }
  if (dto.HTTP_HEADERS_TIMEOUT_MS > dto.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }

  return {
    nodeEnv: dto.NODE_ENV,
    http: {
      port: dto.PORT,
      ...(dto.MANAGEMENT_PORT !== undefined ? { managementPort: dto.MANAGEMENT_PORT } : {}),
      operationsOnApiListener: dto.NODE_ENV !== 'production',
      // Loopback unless production: a development process is not for the network to reach.
      host: dto.HOST ?? (dto.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
      bodyLimitBytes: dto.BODY_LIMIT_BYTES,
      shutdownTimeoutMs: dto.SHUTDOWN_TIMEOUT_MS,
      tlsHandshakeTimeoutMs: dto.TLS_HANDSHAKE_TIMEOUT_MS,
      headersTimeoutMs: dto.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: dto.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: dto.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnectionsPerAddress: dto.HTTP_MAX_CONNECTIONS_PER_ADDRESS,
      rateLimitPerMinute: dto.RATE_LIMIT_PER_MINUTE,
      corsOrigins: dto.CORS_ORIGINS ? dto.CORS_ORIGINS.split(',').map((o) => o.trim()) : [],
    },
    storage: {
      driver: dto.STORAGE_DRIVER,
      mode: dto.REDIS_MODE,
      host: dto.REDIS_HOST,
      port: dto.REDIS_PORT,
      nodes: parseNodes(dto.REDIS_NODES),
      sentinelMaster: dto.REDIS_SENTINEL_MASTER,
      natMap: parseNatMap(dto.REDIS_NAT_MAP),
      waitReplicas: dto.REDIS_WAIT_REPLICAS,
      tlsServername: dto.REDIS_TLS_SERVERNAME,
      commandTimeoutMs: dto.REDIS_COMMAND_TIMEOUT_MS,
      connectTimeoutMs: dto.REDIS_CONNECT_TIMEOUT_MS,
      erasureCompactionSeconds: dto.ERASURE_COMPACTION_S,
    },
    secrets: {
      source: dto.SECRETS_SOURCE,
      dir: dto.SECRETS_DIR,
      devStateDir: dto.DEV_STATE_DIR,
    },
    attestation: {
      provider: dto.ATTESTATION_PROVIDER,
      required: dto.ATTESTATION_REQUIRED,
      dir: dto.ATTESTATION_DIR,
      timeoutMs: dto.ATTESTATION_TIMEOUT_MS,
      scone: {
        configId: dto.SCONE_CONFIG_ID,
        casAddr: dto.SCONE_CAS_ADDR,
        lasAddr: dto.SCONE_LAS_ADDR,
      },
    },
    logLevel: dto.LOG_LEVEL,
    audit: {
      durability: dto.AUDIT_DURABILITY,
      checkpointSeconds: dto.AUDIT_CHECKPOINT_S,
      retentionDays: dto.AUDIT_RETENTION_DAYS,
    },
    health: { timeoutMs: dto.HEALTH_TIMEOUT_MS },
    auth: {
      mode: dto.AUTH_MODE,
      issuer: dto.AUTH_ISSUER ?? DEV_TOKEN_ISSUER,
      audience: dto.AUTH_AUDIENCE ?? DEV_TOKEN_AUDIENCE,
      jwksUrl: dto.AUTH_JWKS_URL,
      jwksCaFile: dto.AUTH_JWKS_CA_FILE,
      jwksCooldownSeconds: dto.AUTH_JWKS_COOLDOWN_S,
      jwksTimeoutMs: dto.AUTH_JWKS_TIMEOUT_MS,
      clockSkewSeconds: dto.AUTH_CLOCK_SKEW_S,
      tokenTypes: dto.AUTH_TOKEN_TYPES.split(',').map((type) => type.trim()),
      maxTokenAgeSeconds: dto.AUTH_MAX_TOKEN_AGE_S,
      tenantClaim: dto.AUTH_TENANT_CLAIM,
    },
  };
}

function parseNodes(list: string | undefined): RedisAddress[] {
  if (!list) return [];
  return list.split(',').map((entry) => {
    const [host, port] = entry.trim().split(':');
    return { host, port: Number(port) };
  });
}

function parseNatMap(list: string | undefined): Record<string, RedisAddress> | undefined {
  if (!list) return undefined;
  const entries = list.split(',').map((entry) => {
    const [announced, reachable] = entry.trim().split('=');
    const [host, port] = reachable.split(':');
    return [announced, { host, port: Number(port) }] as const;
  });
  return Object.fromEntries(entries);
}

function describe(error: ValidationError): string {
  const constraints = Object.values(error.constraints ?? {});
  const detail = constraints[0] ?? 'is invalid';
  // class-validator messages start with the property name; keep them, else prefix it.
  return detail.startsWith(error.property) ? detail : `${error.property} ${detail}`;
}
