// The floor: the least a Node HTTPS service can do for GET /patient/{id} here. Same TLS
// certificate, same Redis GET over the same mutual-TLS connection settings as the API; no
// framework, no validation, no auth, no decryption. Our number divided by its number is our
// efficiency. Configured by the benchmark through environment variables.
'use strict';
const https = require('node:https');
const { redisClient, serverTls } = require('./floor-common');

const redis = redisClient();

const server = https.createServer(serverTls(), (req, res) => {
  const match = /^\/patient\/([A-Za-z0-9_.-]{1,64})$/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  redis.get(`patient:${match[1]}`).then(
    (value) => {
      if (value === null) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(value);
    },
    () => res.writeHead(503).end(),
  );
});

redis.connect().then(() => {
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('floor ready\n'));
});
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
