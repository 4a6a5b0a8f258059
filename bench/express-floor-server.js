// The Express floor: floor-server.js's routes (same certificate, same Redis calls over the same
// mutual-TLS settings) served by Express 5, the HTTP platform the API runs on, with nothing else
// but its JSON body parser. Between the floor and this is what the platform costs; between this
// and the API is what our own pipeline costs (auth, validation, encryption, logs, metrics, audit).
'use strict';
const https = require('node:https');
const express = require('express');
const { ID, create, read, redisClient, serverTls } = require('./floor-common');

const redis = redisClient();

const get = (req, res) => {
  if (!ID.test(req.params.id)) return void res.status(404).end();
  read(redis, req.params.id).then(
    (value) => (value === null ? res.status(404).end() : res.type('json').send(value)),
    () => res.status(503).end(),
  );
};

const app = express();
app.get('/patient/:id', get);
app.get('/score/:id', get);
app.post('/patient/:id', express.json({ limit: '64kb' }), (req, res) => {
  if (!ID.test(req.params.id)) return void res.status(404).end();
  const json = JSON.stringify(req.body);
  create(redis, req.params.id, json).then(
    (made) => (made ? res.type('json').send(json) : res.status(409).end()),
    () => res.status(503).end(),
  );
});
const server = https.createServer(serverTls(), app);

redis.connect().then(() => {
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('floor ready\n'));
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  redis.disconnect();
});
