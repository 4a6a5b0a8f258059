import { loadConfig } from '../../apps/api/src/config/app-config';
import { RunningApi, startApi } from '../../apps/api/src/server/start-api';
import type { DevSecrets } from './dev-secrets';
import { HttpsClient } from './https-client';

export interface TestApi {
  api: RunningApi;
  client: HttpsClient;
  url: string;
  stop(): Promise<void>;
}

/** Starts the real API (HTTPS on a free loopback port) with these environment variables. */
export async function startTestApi(
  secrets: DevSecrets,
  env: Record<string, string> = {},
): Promise<TestApi> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DEV_STATE_DIR: secrets.stateDir,
    ...env,
  });
  const api = await startApi(config);
  const client = new HttpsClient(api.url, secrets.apiCa);
  return {
    api,
    client,
    url: api.url,
    stop: async () => {
      client.close();
      await api.shutdown(2000);
    },
  };
}
