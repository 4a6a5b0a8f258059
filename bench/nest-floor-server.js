// The Nest floor: floor-server.js's routes (same certificate, same Redis calls over the same
// mutual-TLS settings) served by NestJS on @nestjs/platform-express, as the API is, with nothing
// else: one module, one controller, Nest's own body parser and exception filter, no guard, pipe,
// interceptor or logger. Between the Express floor and this is what Nest itself costs; between
// this and the API is what our own pipeline costs (auth, rate limits, tenancy, validation,
// encryption, audit, logs, metrics). Plain JavaScript, so decorators are applied by hand.
'use strict';
require('reflect-metadata');
const {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Module,
  NotFoundException,
  Param,
  Post,
  ConflictException,
  ServiceUnavailableException,
} = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { ID, create, read, redisClient, serverTls } = require('./floor-common');

const redis = redisClient();

class FloorController {
  async get(id) {
    if (!ID.test(id)) throw new NotFoundException();
    const value = await read(redis, id).catch(() => {
      throw new ServiceUnavailableException();
    });
    if (value === null) throw new NotFoundException();
    // The stored JSON as it is: a string body with a JSON content type is sent unchanged.
    return value;
  }

  async create(id, body) {
    if (!ID.test(id)) throw new NotFoundException();
    const json = JSON.stringify(body);
    const made = await create(redis, id, json).catch(() => {
      throw new ServiceUnavailableException();
    });
    if (!made) throw new ConflictException();
    return json;
  }
}

/** What `@Get(...)`, `@Param('id')` etc. do in TypeScript, applied to a method by hand. */
function route(method, decorators, params) {
  const descriptor = Object.getOwnPropertyDescriptor(FloorController.prototype, method);
  for (const decorate of decorators) decorate(FloorController.prototype, method, descriptor);
  params.forEach((param, index) => param(FloorController.prototype, method, index));
  Reflect.defineMetadata(
    'design:paramtypes',
    params.map(() => Object),
    FloorController.prototype,
    method,
  );
}
route(
  'get',
  [Get(['patient/:id', 'score/:id']), Header('Content-Type', 'application/json')],
  [Param('id')],
);
route(
  'create',
  [Post('patient/:id'), HttpCode(200), Header('Content-Type', 'application/json')],
  [Param('id'), Body()],
);
Controller()(FloorController);

class FloorModule {}
Module({ controllers: [FloorController] })(FloorModule);

async function main() {
  const app = await NestFactory.create(FloorModule, {
    httpsOptions: serverTls(),
    logger: false,
    bodyParser: false,
    // As the Express floor does at SIGTERM: keep-alive connections do not hold the exit.
    forceCloseConnections: true,
  });
  app.useBodyParser('json', { limit: '64kb' });
  await redis.connect();
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.stdout.write('floor ready\n');
  process.on('SIGTERM', () => {
    void app.close().finally(() => redis.disconnect());
  });
}

void main();
