import type { DestinationStream } from 'pino';
import { mintDevToken, type DevTokenOptions } from '../../apps/api/src/auth/dev-token';
import { AppConfig, loadConfig } from '../../apps/api/src/config/app-config';
import { RunningApi, startApi } from '../../apps/api/src/server/start-api';
import { contract } from './contract';
import type { DevSecrets } from './dev-secrets';
import { HttpsClient } from './https-client';

export interface TestApi {
  api: RunningApi;
  config: AppConfig;
  /** Sends a dev token with every scope. */
  client: HttpsClient;
  /** Sends no token. */
  anonymous: HttpsClient;
  url: string;
  /** A really signed token from the dev key, which the API trusts. */
  token(options?: DevTokenOptions): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the real API (HTTPS on a free loopback port) with these environment variables. */
export async function startTestApi(
  secrets: DevSecrets,
  env: Record<string, string> = {},
  options: { logDestination?: DestinationStream } = {},
): Promise<TestApi> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DEV_STATE_DIR: secrets.stateDir,
    // Tests make load from one address; the hardening test turns the limit back on.
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
  const api = await startApi(config, options);
  const signingKey = await secrets.source.jwtSigningKey();
  const token = (tokenOptions?: DevTokenOptions) => mintDevToken(signingKey, config, tokenOptions);
  // Every answer the e2e suites receive is checked against the committed contract.
  const validator = contract();
  const anonymous = new HttpsClient(api.url, secrets.apiCa, {
    onResponse: (method, path, result) => validator.check(method, path, result),
  });
  const client = anonymous.with({ authorization: `Bearer ${await token()}` });
  return {
    api,
    config,
    client,
    anonymous,
    url: api.url,
    token,
    stop: async () => {
      client.close();
      anonymous.close();
      await api.shutdown(2000);
    },
  };
}
