import { parseArgs } from 'node:util';
import { DevSecretSource } from '@app/secrets';
import { DEV_TENANT, mintDevToken } from '../auth/dev-token';
import { ALL_SCOPES } from '../auth/scopes';
import { ConfigError, loadConfig } from '../config/app-config';

/**
 * `npm run dev:token [-- --scope "patients:read scores:read"] [--ttl 3600] [--sub alice]
 *  [--tenant clinic-b]`:
 * prints a token signed with the dev profile's key (DEV_STATE_DIR). Dev secrets only.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scope: { type: 'string', default: ALL_SCOPES.join(' ') },
      ttl: { type: 'string', default: String(12 * 3600) },
      sub: { type: 'string', default: 'dev-user' },
      tenant: { type: 'string', default: DEV_TENANT },
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
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(values.tenant))
    throw new ConfigError('--tenant must be 1-64 letters, digits, underscores, dots or hyphens');
  const source = await DevSecretSource.open(config.secrets.devStateDir);
  const token = await mintDevToken(await source.jwtSigningKey(), config, {
    scopes: values.scope.split(' ').filter(Boolean),
    subject: values.sub,
    tenant: values.tenant,
    ttlSeconds,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(`dev-token: ${(error as Error).message}`);
  process.exit(1);
});
