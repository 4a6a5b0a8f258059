import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RecordKeyRing } from '@app/secrets';
import type { RedisConnectionOptions } from './redis/redis-connection-options';
import type { RedisObserver } from './redis/watch-connection';

export interface StorageModuleOptions {
  driver: 'memory' | 'redis';
  /** Required for the redis driver. */
  redis?: RedisConnectionOptions;
  /** Record-encryption keys (from the secret source). */
  keyRing: RecordKeyRing;
  /** The key that MACs the audit trail's events (32 bytes, from the secret source). */
  auditKey: Buffer;
  /** How long boot waits for a first Redis connection before going on without it. */
  connectWaitMs?: number;
  /** Told about Redis connection losses, reconnects and failed commands (e.g. for metrics). */
  redisObserver?: RedisObserver;
  /**
   * Redis: seconds after an erasure within which the master that held the record rewrites its
   * append-only file (debounced: one rewrite for the erasures of that time); 0: at once.
   * Default 300.
   */
  erasureCompactionSeconds?: number;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<StorageModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras({ isGlobal: true }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }))
    .build();
