// The floor: the least a Node HTTPS service can do here for the benchmark's routes. Same TLS
// certificate, same Redis over the same mutual-TLS settings as the API; no framework, no
// validation, no auth, no decryption, no logs. GET /patient/{id} and GET /score/{id} are one Redis
// GET (the floor computes no score); POST /patient/{id} parses the JSON body and makes one Redis
// SET NX. Configured by the benchmark through environment variables.
'use strict';
const https = require('node:https');
const { ID, create, read, redisClient, serverTls } = require('./floor-common');

const LIMIT = 64 * 1024;
const ROUTE = /^\/(patient|score)\/([^/?]+)$/;
const redis = redisClient();

function get(res, id) {
  read(redis, id).then(
    (value) => {
      if (value === null) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(value);
    },
    () => res.writeHead(503).end(),
  );
}

function post(req, res, id) {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= LIMIT) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > LIMIT) return void res.writeHead(413).end();
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return void res.writeHead(400).end();
    }
    const json = JSON.stringify(body);
    create(redis, id, json).then(
      (made) =>
        made
          ? res.writeHead(200, { 'content-type': 'application/json' }).end(json)
          : res.writeHead(409).end(),
      () => res.writeHead(503).end(),
    );
  });
}

const server = https.createServer(serverTls(), (req, res) => {
  const match = ROUTE.exec(req.url ?? '');
  if (!match || !ID.test(match[2])) return void res.writeHead(404).end();
  if (req.method === 'GET') return get(res, match[2]);
  if (req.method === 'POST' && match[1] === 'patient') return post(req, res, match[2]);
  res.writeHead(405).end();
});

redis.connect().then(() => {
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('floor ready\n'));
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  redis.disconnect();
});
