// The Express floor: floor-server.js's GET /patient/{id} (same certificate, same Redis GET over
// the same mutual-TLS settings) served by Express 5, the HTTP platform the API runs on, with
// nothing else. Between the floor and this is what the platform costs; between this and the API
// is what our own pipeline costs (auth, validation, decryption, logs, metrics).
'use strict';
const https = require('node:https');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Redis } = require('ioredis');
const express = require('express');

const dir = process.env.SECRETS_DIR;
const read = (name) => readFileSync(join(dir, name), 'utf8');
const redis = new Redis({
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

const app = express();
app.get('/patient/:id', (req, res) => {
  redis.get(`patient:${req.params.id}`).then(
    (value) => (value === null ? res.status(404).end() : res.type('json').send(value)),
    () => res.status(503).end(),
  );
});
const server = https.createServer(
  { cert: read('api.crt'), key: read('api.key'), minVersion: 'TLSv1.2' },
  app,
);

redis.connect().then(() => {
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('floor ready\n'));
});
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
