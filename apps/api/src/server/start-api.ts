import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SecretSource } from '@app/secrets';
import { AppModule, type AppModuleOptions } from '../app.module';
import { AuditingExpressAdapter } from '../audit/audit-answer';
import { AppConfig } from '../config/app-config';
import { createAppLogger } from '../logging/logging.module';
import { setupApp } from '../setup-app';
import { HttpsServer } from './https-server';
import type { Listener } from './surfaces';
import { Lifecycle } from './lifecycle';

/** Time closing the application (Redis's QUIT) may take once the drain has used its time. */
const CLOSE_GRACE_MS = 500;

export interface RunningApi {
  app: NestExpressApplication;
  server: HttpsServer;
  port: number;
  /** https://localhost:<port> */
  url: string;
  /** The management listener's URL (metrics, docs, contract, health), when MANAGEMENT_PORT is set. */
  managementUrl?: string;
  /**
   * Graceful stop within `timeoutMs` (+ 0.5 s to close storage), whatever Redis does: stop
   * accepting, finish requests in flight, close Redis. Resolves true when all of it finished
   * in time.
   */
  shutdown(timeoutMs?: number): Promise<boolean>;
}

/** Builds the application and serves it over HTTPS with the secret source's certificate. */
export async function startApi(
  config: AppConfig,
  options: AppModuleOptions = {},
): Promise<RunningApi> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, options),
    // Holds an audited answer until its event is stored.
    new AuditingExpressAdapter(),
    {
      bodyParser: false,
      abortOnError: false,
      // Every line goes to pino as it is logged, from the first: nothing is buffered.
      logger: createAppLogger(config, options.logDestination),
    },
  );
  const logger = new Logger('Server');
  const servers: HttpsServer[] = [];
  let address: AddressInfo;
  let managementAddress: AddressInfo | undefined;
  try {
    await setupApp(app, config);
    await app.init();
    const tls = await app.get(SecretSource).apiTls();
    const serve = (listener: Listener) => {
      const server = new HttpsServer(
        {
          cert: tls.cert,
          key: tls.key,
          handshakeTimeoutMs: config.http.tlsHandshakeTimeoutMs,
          headersTimeoutMs: config.http.headersTimeoutMs,
          requestTimeoutMs: config.http.requestTimeoutMs,
          keepAliveTimeoutMs: config.http.keepAliveTimeoutMs,
          maxConnectionsPerAddress: config.http.maxConnectionsPerAddress,
          bodyLimitBytes: config.http.bodyLimitBytes,
          listener,
        },
        app.getHttpAdapter().getInstance(),
      );
      servers.push(server);
      return server;
    };
    address = await serve('api').listen(config.http.port, config.http.host);
    if (config.http.managementPort !== undefined) {
      managementAddress = await serve('management').listen(
        config.http.managementPort,
        config.http.host,
      );
    }
  } catch (error) {
    // Release what did start (listeners, the Redis connection) before reporting the failure.
    await Promise.all(servers.map((server) => server.drain(Date.now())));
    await within(
      app.close().catch(() => undefined),
      Date.now() + CLOSE_GRACE_MS,
    );
    throw error;
  }
  logger.log(`listening on https://${config.http.host}:${address.port}`);
  if (managementAddress) {
    logger.log(
      `management (metrics, docs, contract, health) on https://${config.http.host}:${managementAddress.port}`,
    );
  }

  let stopping: Promise<boolean> | null = null;
  return {
    app,
    server: servers[0],
    port: address.port,
    url: `https://localhost:${address.port}`,
    ...(managementAddress ? { managementUrl: `https://localhost:${managementAddress.port}` } : {}),
    shutdown: (timeoutMs = config.http.shutdownTimeoutMs) => {
      stopping ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        // Readiness answers 503 from now on, before the listener closes.
        app.get(Lifecycle).beginShutdown();
        const drained = (await Promise.all(servers.map((server) => server.drain(deadline)))).every(
          Boolean,
        );
        if (!drained) logger.warn(`requests still in flight after ${timeoutMs} ms were cut off`);
        // QUIT waits for Redis's answer; a hung Redis must not hold the process.
        const closing = app.close().catch((error: unknown) => {
          logger.error(`closing the application failed: ${(error as Error).message}`);
        });
        const closed = await within(closing, Math.max(deadline, Date.now()) + CLOSE_GRACE_MS);
        if (!closed) logger.warn('storage did not close in time; stopping without it');
        return drained && closed;
      })();
      return stopping;
    },
  };
}

/** Resolves true when `work` (which must not reject) ends before `deadline` (epoch ms). */
async function within(work: Promise<void>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
