import { Logger } from '@nestjs/common';
import { AttestationError } from '@app/attestation';
import { DevSecretSource, SecretError, SecretSource } from '@app/secrets';
import { mintDevToken } from './auth/dev-token';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { exitProcess, exitWithFatal } from './logging/process-log';
import { RunningApi, startApi } from './server/start-api';

/**
 * Past SHUTDOWN_TIMEOUT_MS, the shutdown itself takes at most 0.5 s more (closing storage);
 * should anything still hang, the process ends here, within the second it promises.
 */
const SHUTDOWN_BACKSTOP_MS = 800;

/** Boot: validate config, start the HTTPS API, stop gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const api = await startApi(config, { environment: process.env });
  const logger = new Logger('Main');
  await announceDevProfile(api, config, logger);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn(`${signal} received again: exiting now`);
      void exitProcess(1);
      return;
    }
    stopping = true;
    logger.log(`${signal} received: draining`);
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      void exitProcess(1, 100);
    }, config.http.shutdownTimeoutMs + SHUTDOWN_BACKSTOP_MS).unref();
    api.shutdown().then(
      (clean) => {
        logger.log(clean ? 'stopped' : 'stopped at the shutdown timeout');
        return exitProcess(0);
      },
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`);
        return exitProcess(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** The dev profile says how to reach it; a token only to a terminal, never into shipped logs. */
async function announceDevProfile(api: RunningApi, config: AppConfig, logger: Logger) {
  const secrets = api.app.get(SecretSource);
  if (!(secrets instanceof DevSecretSource)) return;
  logger.warn(`dev secrets: trust the API with --cacert ${secrets.apiCaPath}`);
  if (config.auth.mode !== 'jwt' || config.auth.jwksUrl) return;
  if (!process.stdout.isTTY) {
    // Container platforms ship stdout to log aggregation: a 12-hour all-scope token has no
    // business there.
    logger.log(
      'dev token: not printed (stdout is not a terminal); mint one with npm run dev:token',
    );
    return;
  }
  // The dev profile's own key signs this; printed (not logged) for the one-command experience.
  const token = await mintDevToken(await secrets.jwtSigningKey(), config);
  process.stdout.write(
    `\nDev token (every scope, valid 12 h; new ones: npm run dev:token):\n${token}\n` +
      `curl --cacert ${secrets.apiCaPath} -H "Authorization: Bearer $TOKEN" ${api.url}/patient/patient_3\n\n`,
  );
}

// A crash still leaves its reason in the log, as one line, before the process ends.
process.on('uncaughtException', (error) => void exitWithFatal(`uncaught ${error.name}`, error));
process.on('unhandledRejection', (reason) => void exitWithFatal('unhandled rejection', reason));

main().catch((error: unknown) => {
  // Configuration and secret errors are the user's to fix: one line, no stack.
  if (error instanceof ConfigError) void exitWithFatal(`configuration error: ${error.message}`);
  else if (error instanceof SecretError) void exitWithFatal(`secrets error: ${error.message}`);
  else if (error instanceof AttestationError)
    void exitWithFatal(`attestation error: ${error.message}`);
  else void exitWithFatal(`failed to start: ${(error as Error).message}`, error);
});
