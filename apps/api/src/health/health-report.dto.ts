/** The outcome of one check. */
export class HealthIndicatorDto {
  /** `up` or `down`. */
  status!: 'up' | 'down';
  /** Why the check is down, in general terms (never hosts or driver errors). */
  message?: string;
}

/** The checks of /health/ready by name; none for /health/live. */
export class HealthChecksDto {
  /** The secret source delivered the API's TLS identity and the record-encryption keys. */
  secrets?: HealthIndicatorDto;
  /** Storage answered a ping within HEALTH_TIMEOUT_MS (Cluster: every master, all slots served). */
  storage?: HealthIndicatorDto;
}

/** A health report, in the shape of @nestjs/terminus. */
export class HealthReportDto {
  /**
   * `ok`: every check passed. `error`: at least one check is down. `shutting_down`: the process
   * received SIGTERM and is finishing the requests it has; send no more.
   */
  status!: 'ok' | 'error' | 'shutting_down';
  /** The checks that are up. */
  info!: HealthChecksDto;
  /** The checks that are down. */
  error!: HealthChecksDto;
  /** Every check. */
  details!: HealthChecksDto;
}
