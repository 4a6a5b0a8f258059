/**
 * File names of the secrets in a secrets folder. SCONE CAS injects these paths
 * (docker/scone/api-session.yml); the dev source writes the same names, so its folder is a valid
 * SECRETS_DIR for the `files` source.
 */
export const SECRET_FILES = {
  apiCert: 'api.crt',
  apiKey: 'api.key',
  apiCa: 'api-ca.crt',
  redisCa: 'redis-ca.crt',
  redisCert: 'redis-client.crt',
  redisKey: 'redis-client.key',
  recordKey: 'record-key',
  /** Older record keys, kept for reading: `record-key.<anything>`. */
  previousRecordKeyPrefix: 'record-key.',
  /** The key that MACs the audit trail's events (32 bytes: raw, base64 or hex). */
  auditKey: 'audit-key',
  jwtJwks: 'jwt-keys.json',
  jwtPublicPem: 'jwt-public.pem',
} as const;
