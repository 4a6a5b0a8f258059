import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SecretSource } from '@app/secrets';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from '../app.module';
import { AppConfig } from '../config/app-config';
import { setupApp } from '../setup-app';
import { HttpsServer } from './https-server';
import { Lifecycle } from './lifecycle';

export interface RunningApi {
  app: NestExpressApplication;
  server: HttpsServer;
  port: number;
  /** https://localhost:<port> */
  url: string;
  /** Graceful stop: stop accepting, finish requests in flight, close Redis. */
  shutdown(timeoutMs?: number): Promise<boolean>;
}

/** Builds the application and serves it over HTTPS with the secret source's certificate. */
export async function startApi(
  config: AppConfig,
  options: AppModuleOptions = {},
): Promise<RunningApi> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    abortOnError: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoNestLogger));
  let server: HttpsServer;
  let address: AddressInfo;
  try {
    await setupApp(app, config);
    await app.init();
    const tls = await app.get(SecretSource).apiTls();
    server = new HttpsServer({ cert: tls.cert, key: tls.key }, app.getHttpAdapter().getInstance());
    address = await server.listen(config.http.port, config.http.host);
  } catch (error) {
    // Release what did start (the Redis connection) before reporting the failure.
    await app.close().catch(() => undefined);
    throw error;
  }
  new Logger('Server').log(`listening on https://${config.http.host}:${address.port}`);

  let stopping: Promise<boolean> | null = null;
  return {
    app,
    server,
    port: address.port,
    url: `https://localhost:${address.port}`,
    shutdown: (timeoutMs = config.http.shutdownTimeoutMs) => {
      stopping ??= (async () => {
        // Readiness answers 503 from now on, before the listener closes.
        app.get(Lifecycle).beginShutdown();
        const finished = await server.drain(timeoutMs);
        await app.close();
        return finished;
      })();
      return stopping;
    },
  };
}
