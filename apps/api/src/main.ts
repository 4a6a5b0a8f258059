import { Logger } from '@nestjs/common';
import { DevSecretSource, SecretError, SecretSource } from '@app/attestation';
import { ConfigError, loadConfig } from './config/app-config';
import { startApi } from './server/start-api';

/** Boot: validate config, start the HTTPS API, stop gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const api = await startApi(config);
  const logger = new Logger('Main');

  const secrets = api.app.get(SecretSource);
  if (secrets instanceof DevSecretSource) {
    logger.warn(`dev secrets: trust the API with --cacert ${secrets.apiCaPath}`);
  }

  const stop = (signal: string) => {
    logger.log(`${signal} received: draining`);
    api.shutdown().then(
      (finished) => {
        logger.log(finished ? 'stopped' : 'stopped; some requests were cut off at the timeout');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Configuration and secret errors are the user's to fix: one line, no stack.
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else if (error instanceof SecretError) console.error(`secrets error: ${error.message}`);
  else console.error(`failed to start: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
