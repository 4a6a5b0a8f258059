// What both floors share with the API: its certificate, and a Redis client with the same
// mutual-TLS settings (configured by the benchmark through environment variables). The floors
// keep their records under their own prefix, so they never depend on how the API lays out its
// keys: the benchmark stores there the very bytes the API answers for each seeded patient.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Redis } = require('ioredis');

const FLOOR_PREFIX = 'bench-floor:patient:';
exports.FLOOR_PREFIX = FLOOR_PREFIX;

/** The id rule of the API, so the floors refuse what it refuses. */
exports.ID = /^[A-Za-z0-9_.-]{1,64}$/;

const read = (dir, name) => readFileSync(join(dir, name), 'utf8');

exports.serverTls = (secretsDir = process.env.SECRETS_DIR) => ({
  cert: read(secretsDir, 'api.crt'),
  key: read(secretsDir, 'api.key'),
  minVersion: 'TLSv1.2',
});

exports.redisClient = ({
  port = Number(process.env.REDIS_PORT),
  secretsDir = process.env.SECRETS_DIR,
} = {}) =>
  new Redis({
    host: '127.0.0.1',
    port,
    tls: {
      ca: read(secretsDir, 'redis-ca.crt'),
      cert: read(secretsDir, 'redis-client.crt'),
      key: read(secretsDir, 'redis-client.key'),
      servername: 'redis',
      minVersion: 'TLSv1.2',
    },
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  });

/** GET: one Redis GET, its value answered as it is (the floors compute no score). */
exports.read = (redis, id) => redis.get(FLOOR_PREFIX + id);

/** POST: one Redis SET NX of the body as the client sent it; false when the id exists. */
exports.create = (redis, id, json) =>
  redis.set(FLOOR_PREFIX + id, json, 'NX').then((ok) => ok === 'OK');
