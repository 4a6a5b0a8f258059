import { Logger } from '@nestjs/common';
import { AttestationError } from '@app/attestation';
import { DevSecretSource, SecretError, SecretSource } from '@app/secrets';
import { mintDevToken } from './auth/dev-token';
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
    if (config.auth.mode === 'jwt' && !config.auth.jwksUrl) {
      // The dev profile's own key signs this; printed (not logged) for the one-command experience.
      const token = await mintDevToken(await secrets.jwtSigningKey(), config);
      process.stdout.write(
        `\nDev token (every scope, valid 12 h; new ones: npm run dev:token):\n${token}\n` +
          `curl --cacert ${secrets.apiCaPath} -H "Authorization: Bearer $TOKEN" ${api.url}/patient/patient_3\n\n`,
      );
    }
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
  else if (error instanceof AttestationError) console.error(`attestation error: ${error.message}`);
  else console.error(`failed to start: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
