// The Express floor: floor-server.js's GET /patient/{id} (same certificate, same Redis GET over
// the same mutual-TLS settings) served by Express 5, the HTTP platform the API runs on, with
// nothing else. Between the floor and this is what the platform costs; between this and the API
// is what our own pipeline costs (auth, validation, decryption, logs, metrics).
'use strict';
const https = require('node:https');
const express = require('express');
const { redisClient, serverTls } = require('./floor-common');

const redis = redisClient();

const app = express();
app.get('/patient/:id', (req, res) => {
  redis.get(`patient:${req.params.id}`).then(
    (value) => (value === null ? res.status(404).end() : res.type('json').send(value)),
    () => res.status(503).end(),
  );
});
const server = https.createServer(serverTls(), app);

redis.connect().then(() => {
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('floor ready\n'));
});
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
