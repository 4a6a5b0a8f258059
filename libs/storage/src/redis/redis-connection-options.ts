export interface RedisAddress {
  host: string;
  port: number;
}

export interface RedisConnectionOptions {
  mode: 'standalone' | 'sentinel' | 'cluster';
  /** standalone: the server. */
  host?: string;
  port?: number;
  /** sentinel: the sentinels; cluster: seed nodes. */
  nodes?: RedisAddress[];
  /** sentinel: the monitored master's name. */
  sentinelMaster?: string;
  /** Mutual TLS, in every mode: the Redis CA and our client certificate. */
  tls: {
    ca: string;
    cert: string;
    key: string;
    /** Host name the Redis certificates are issued for (SNI and verification). */
    servername: string;
  };
  /** A command that gets no answer within this time fails (the API answers 503). */
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}
