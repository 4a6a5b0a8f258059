import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AuditStore } from '@app/storage';
import { AppConfig } from '../config/app-config';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Keeps the trail anchored and within its retention: every AUDIT_CHECKPOINT_S, and at shutdown,
 * the head of every chain this process writes goes to the log (a sink outside Redis), so a
 * truncated or rewritten chain no longer matches (`npm run audit:verify -- --checkpoints`);
 * every hour, events older than AUDIT_RETENTION_DAYS are trimmed.
 */
@Injectable()
export class AuditMaintenance implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timers: NodeJS.Timeout[] = [];
  // Nest's logger: this application's own pino, also outside any request.
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly store: AuditStore,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.audit.durability === 'async') {
      this.logger.warn(
        'AUDIT_DURABILITY=async: reads are answered before their audit events are stored; a crash may lose the last second of them',
      );
    }
    const every = (ms: number, work: () => Promise<void>) => {
      const timer = setInterval(() => void work(), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.config.audit.checkpointSeconds * 1000, () => this.checkpoint());
    every(HOUR_MS, () => this.trim());
    void this.trim();
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.checkpoint();
  }

  /** One line per chain: `{checkpoint: true, tenant, chain, seq, hash}`. */
  async checkpoint(): Promise<void> {
    try {
      for (const head of await this.store.heads()) {
        this.logger.log({ checkpoint: true, ...head }, 'audit checkpoint');
      }
    } catch (error) {
      this.logger.warn(`audit checkpoint skipped: ${(error as Error).message}`);
    }
  }

  private async trim(): Promise<void> {
    try {
      const olderThan = new Date(Date.now() - this.config.audit.retentionDays * DAY_MS);
      const result = await this.store.trim(olderThan);
      if (result.altered > 0) {
        this.logger.error(
          `audit retention: ${result.altered} trimmed events failed their MAC (the trail was altered); run npm run audit:verify`,
        );
      }
      if (result.trimmed > 0) {
        this.logger.log(
          `audit retention: trimmed ${result.trimmed} events, kept ${result.retained}`,
        );
      }
    } catch (error) {
      this.logger.warn(`audit retention skipped: ${(error as Error).message}`);
    }
  }
}
