import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RedisObserver } from '@app/storage';

/** What a write to a patient record did, as counted. */
export type RecordChange = 'created' | 'updated' | 'deleted';

/**
 * The application's Prometheus metrics, in a registry of its own (not prom-client's global one),
 * so several applications in one process do not share or collide. Labels are low-cardinality by
 * construction: route templates, never concrete paths, and nothing about a patient.
 */
@Injectable()
export class AppMetrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to the end of its answer, by route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly httpRequestsInFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'Requests being handled now (a scrape counts itself).',
    registers: [this.registry],
  });

  readonly recordChanges = new Counter({
    name: 'patient_record_changes_total',
    help: 'Patient records created, updated or deleted (answered with success).',
    labelNames: ['change'] as const,
    registers: [this.registry],
  });

  readonly breakGlassAccess = new Counter({
    name: 'break_glass_access_total',
    help: 'Records read by emergency access ("break the glass"), each with a reason in the audit trail.',
    registers: [this.registry],
  });

  readonly redisErrors = new Counter({
    name: 'redis_errors_total',
    help: 'Redis failures by kind: connection (refused, reset, TLS), disconnect (a connection that was up went away), command (failed or timed out; answered 503).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly redisReconnects = new Counter({
    name: 'redis_reconnects_total',
    help: 'Redis connections opened again after one was lost (or a cluster node was replaced).',
    registers: [this.registry],
  });

  /** Fed by the Redis adapter (see StorageModule's redisObserver). */
  readonly redisObserver: RedisObserver = {
    connectionError: () => this.redisErrors.inc({ kind: 'connection' }),
    connectionLost: () => this.redisErrors.inc({ kind: 'disconnect' }),
    commandFailed: () => this.redisErrors.inc({ kind: 'command' }),
    reconnected: () => this.redisReconnects.inc(),
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Present from the start (at 0), so dashboards and alerts see the series before any event.
    for (const change of ['created', 'updated', 'deleted'] as const)
      this.recordChanges.inc({ change }, 0);
    this.breakGlassAccess.inc(0);
    for (const kind of ['connection', 'disconnect', 'command'] as const) {
      this.redisErrors.inc({ kind }, 0);
    }
  }

  /** The text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
