// What both floors share with the API: its certificate, and a Redis client with the same
// mutual-TLS settings (configured by the benchmark through environment variables).
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Redis } = require('ioredis');

const read = (name) => readFileSync(join(process.env.SECRETS_DIR, name), 'utf8');

exports.serverTls = () => ({ cert: read('api.crt'), key: read('api.key'), minVersion: 'TLSv1.2' });

exports.redisClient = () =>
  new Redis({
    host: '127.0.0.1',
    port: Number(process.env.REDIS_PORT),
    tls: {
      ca: read('redis-ca.crt'),
      cert: read('redis-client.crt'),
      key: read('redis-client.key'),
      servername: 'redis',
      minVersion: 'TLSv1.2',
    },
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  });
