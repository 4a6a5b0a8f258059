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
  /**
   * sentinel and cluster: where to reach an address that a sentinel or a cluster node announces
   * (key `host:port` as announced), for nodes behind NAT or announcing names we cannot resolve.
   */
  natMap?: Readonly<Record<string, RedisAddress>>;
  /** Mutual TLS, in every mode: the Redis CA and our client certificate. */
  tls: {
    ca: string;
    cert: string;
    key: string;
    /** Host name the Redis certificates are issued for (SNI and verification). */
    servername: string;
  };
  /**
   * Replicas that must have each write before it is acknowledged (WAIT), so that a failover
   * cannot lose it; 0 (default): the master's acknowledgement is enough.
   */
  waitReplicas?: number;
  /** A command that gets no answer within this time fails (the API answers 503). */
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}
