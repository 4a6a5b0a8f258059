import { parseArgs } from 'node:util';
import { DevSecretSource } from '@app/secrets';
import { mintDevToken } from '../auth/dev-token';
import { ALL_SCOPES } from '../auth/scopes';
import { ConfigError, loadConfig } from '../config/app-config';

/**
 * `npm run dev:token [-- --scope "patients:read scores:read"] [--ttl 3600] [--sub alice]`:
 * prints a token signed with the dev profile's key (DEV_STATE_DIR). Dev secrets only.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scope: { type: 'string', default: ALL_SCOPES.join(' ') },
      ttl: { type: 'string', default: String(12 * 3600) },
      sub: { type: 'string', default: 'dev-user' },
    },
  });
  const config = loadConfig(process.env);
  if (config.secrets.source !== 'dev') {
    throw new ConfigError(
      'dev tokens exist only with SECRETS_SOURCE=dev; ask your identity provider for a token',
    );
  }
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
    throw new ConfigError('--ttl must be a number of seconds');
  const source = await DevSecretSource.open(config.secrets.devStateDir);
  const token = await mintDevToken(await source.jwtSigningKey(), config, {
    scopes: values.scope.split(' ').filter(Boolean),
    subject: values.sub,
    ttlSeconds,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(`dev-token: ${(error as Error).message}`);
  process.exit(1);
});
