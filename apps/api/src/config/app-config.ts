import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { RedisAddress } from '@app/storage';
import { EnvDto } from './env.dto';

/** The validated configuration, shaped for the code that uses it. Built once, at boot. */
export class AppConfig {
  readonly nodeEnv!: EnvDto['NODE_ENV'];
  readonly http!: { port: number; host: string; bodyLimitBytes: number; shutdownTimeoutMs: number };
  readonly storage!: {
    driver: EnvDto['STORAGE_DRIVER'];
    mode: EnvDto['REDIS_MODE'];
    host?: string;
    port: number;
    nodes: RedisAddress[];
    sentinelMaster?: string;
    tlsServername: string;
    commandTimeoutMs: number;
    connectTimeoutMs: number;
  };
  readonly secrets!: { source: EnvDto['SECRETS_SOURCE']; dir?: string; devStateDir: string };
  readonly logLevel!: EnvDto['LOG_LEVEL'];
}

/** Bad configuration: the message is one line naming the variable (and never its value). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const PRODUCTION_REFUSALS: Array<[keyof EnvDto, string, string]> = [
  ['SECRETS_SOURCE', 'dev', 'dev secrets sit on disk in the clear; use files'],
  ['STORAGE_DRIVER', 'memory', 'in-memory storage loses every record on restart; use redis'],
];

/** Validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  // Empty values count as unset, so `PORT=` falls back to the default like a missing PORT.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const dto = plainToInstance(EnvDto, present, { excludeExtraneousValues: false });
  const errors = validateSync(dto, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(describe(errors[0]));

  if (dto.NODE_ENV === 'production') {
    for (const [name, refused, why] of PRODUCTION_REFUSALS) {
      if (dto[name] === refused) {
        throw new ConfigError(`${name}=${refused} is refused when NODE_ENV=production: ${why}`);
      }
    }
  }

  return {
    nodeEnv: dto.NODE_ENV,
    http: {
      port: dto.PORT,
      host: dto.HOST,
      bodyLimitBytes: dto.BODY_LIMIT_BYTES,
      shutdownTimeoutMs: dto.SHUTDOWN_TIMEOUT_MS,
    },
    storage: {
      driver: dto.STORAGE_DRIVER,
      mode: dto.REDIS_MODE,
      host: dto.REDIS_HOST,
      port: dto.REDIS_PORT,
      nodes: parseNodes(dto.REDIS_NODES),
      sentinelMaster: dto.REDIS_SENTINEL_MASTER,
      tlsServername: dto.REDIS_TLS_SERVERNAME,
      commandTimeoutMs: dto.REDIS_COMMAND_TIMEOUT_MS,
      connectTimeoutMs: dto.REDIS_CONNECT_TIMEOUT_MS,
    },
    secrets: { source: dto.SECRETS_SOURCE, dir: dto.SECRETS_DIR, devStateDir: dto.DEV_STATE_DIR },
    logLevel: dto.LOG_LEVEL,
  };
}

function parseNodes(list: string | undefined): RedisAddress[] {
  if (!list) return [];
  return list.split(',').map((entry) => {
    const [host, port] = entry.trim().split(':');
    return { host, port: Number(port) };
  });
}

function describe(error: ValidationError): string {
  const constraints = Object.values(error.constraints ?? {});
  const detail = constraints[0] ?? 'is invalid';
  // class-validator messages start with the property name; keep them, else prefix it.
  return detail.startsWith(error.property) ? detail : `${error.property} ${detail}`;
}
