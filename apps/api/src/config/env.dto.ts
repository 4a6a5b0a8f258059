import { Transform } from 'class-transformer';
import {
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

/** host:port, comma-separated. */
const NODE_LIST = /^\s*[^\s:,]+:\d{1,5}\s*(,\s*[^\s:,]+:\d{1,5}\s*)*$/;

/**
 * Every environment variable the service reads, validated once at boot. Property names are the
 * variable names, so a validation error names the variable to fix.
 */
export class EnvDto {
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

  @ValidateIf((env: EnvDto) => env.STORAGE_DRIVER === 'redis' && env.REDIS_MODE === 'standalone')
  @IsString()
  @IsNotEmpty({ message: 'REDIS_HOST is required when STORAGE_DRIVER=redis' })
  REDIS_HOST?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  REDIS_PORT = 6379;

  @ValidateIf((env: EnvDto) => env.STORAGE_DRIVER === 'redis' && env.REDIS_MODE !== 'standalone')
  @Matches(NODE_LIST, { message: 'REDIS_NODES must be a list of host:port, comma-separated' })
  REDIS_NODES?: string;

  @ValidateIf((env: EnvDto) => env.STORAGE_DRIVER === 'redis' && env.REDIS_MODE === 'sentinel')
  @IsString()
  @IsNotEmpty({ message: 'REDIS_SENTINEL_MASTER is required when REDIS_MODE=sentinel' })
  REDIS_SENTINEL_MASTER?: string;

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

  @IsIn(['dev', 'files'])
  SECRETS_SOURCE: 'dev' | 'files' = 'dev';

  @ValidateIf((env: EnvDto) => env.SECRETS_SOURCE === 'files')
  @IsString()
  @IsNotEmpty({ message: 'SECRETS_DIR is required when SECRETS_SOURCE=files' })
  SECRETS_DIR?: string;

  @IsString()
  @IsNotEmpty()
  DEV_STATE_DIR = '.data';

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
}
