import type { PatientApiClient } from '@patient-api/client';
import type { DestinationStream } from 'pino';
import { mintDevToken, type DevTokenOptions } from '../../apps/api/src/auth/dev-token';
import { AppConfig, loadConfig } from '../../apps/api/src/config/app-config';
import { RunningApi, startApi } from '../../apps/api/src/server/start-api';
import { contract } from './contract';
import type { DevSecrets } from './dev-secrets';
import { HttpsClient } from './https-client';
import { typedClient } from './typed-client';

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
  /** Sends no token and trusts only `ca` (one a client fetched itself, say). */
  trusting(ca: string): HttpsClient;
  /** The generated client (openapi/client), sending a dev token with every scope. */
  typed: PatientApiClient;
  /** Sends no token to the management listener (with MANAGEMENT_PORT set). */
  management?: HttpsClient;
  stop(): Promise<void>;
}

/** What every test API runs with: quiet logs, no rate limit (tests make load from one address). */
export function testEnv(secrets: DevSecrets): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DEV_STATE_DIR: secrets.stateDir,
    // The hardening test turns the limit back on.
    RATE_LIMIT_PER_MINUTE: '0',
  };
}

/** The paths the management listener serves (any other answers 404 there, by design). */
const MANAGED = /^\/(metrics|health|docs|openapi)/;

/**
 * A client without a token that checks every answer against the committed contract (those to
 * paths matching `checked`, when given).
 */
export function contractClient(url: string, ca: string, checked?: RegExp): HttpsClient {
  const validator = contract();
  return new HttpsClient(url, ca, {
    onResponse: (method, path, result) => {
      if (!checked || checked.test(path)) validator.check(method, path, result);
    },
  });
}

/** Starts the real API (HTTPS on a free loopback port) with these environment variables. */
export async function startTestApi(
  secrets: DevSecrets,
  env: Record<string, string> = {},
  options: { logDestination?: DestinationStream } = {},
): Promise<TestApi> {
  const environment = { ...testEnv(secrets), PORT: '0', HOST: '127.0.0.1', ...env };
  const config = loadConfig(environment);
  const api = await startApi(config, { ...options, environment });
  const token = (tokenOptions?: DevTokenOptions) =>
    mintDevToken(secrets.signingKey, config, tokenOptions);
  // Every answer the e2e suites receive is checked against the committed contract.
  const anonymous = contractClient(api.url, secrets.apiCa);
  const allScopes = await token();
  const client = anonymous.with({ authorization: `Bearer ${allScopes}` });
  const typed = typedClient(api.url, secrets.apiCa, allScopes);
  const others: HttpsClient[] = [];
  // The contract is the API listener's; the management one serves its operations part only.
  if (api.managementUrl) others.push(contractClient(api.managementUrl, secrets.apiCa, MANAGED));
  const management = others[0];
  let stopping: Promise<void> | undefined;
  return {
    api,
    config,
    client,
    anonymous,
    url: api.url,
    token,
    trusting: (ca) => {
      const other = contractClient(api.url, ca);
      others.push(other);
      return other;
    },
    typed: typed.client,
    ...(management ? { management } : {}),
    // Once: a test may stop an API the fixture stops again after it.
    stop: () =>
      (stopping ??= (async () => {
        for (const each of [client, anonymous, ...others]) each.close();
        await typed.close();
        await api.shutdown(2000);
      })()),
  };
}
