import { connect as connectTcp } from 'node:net';
import { networkInterfaces } from 'node:os';
import { stripVTControlCharacters } from 'node:util';
import { loadConfig } from '../../src/config/app-config';
import { freePort } from '@test/support/ports';
import { useTestBed } from '@test/support/test-bed';
import { BareApiProcess, logLines } from './process-logs';

const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/** An address of this machine other than loopback, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the development defaults of the built process', () => {
  const bed = useTestBed();
  const running: BareApiProcess[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((api) => api.stop()));
  });

  /** `npm start`'s process: NODE_ENV=development, no HOST, dev secrets, tokens on. */
  async function startDev(options: { tty?: boolean } = {}) {
    const port = await freePort();
    const api = BareApiProcess.start(
      { NODE_ENV: 'development', PORT: String(port), DEV_STATE_DIR: bed.secrets.stateDir },
      options,
    );
    running.push(api);
    await api.waitFor(/listening on https:\/\//);
    return { api, port };
  }

  it('listens on 127.0.0.1 only unless HOST says otherwise', async () => {
    const { api, port } = await startDev();
    expect(logLines(api.output).map((line) => line.msg)).toContain(
      `listening on https://127.0.0.1:${port}`,
    );
    expect(await connects('127.0.0.1', port)).toBe(true);
    const external = externalAddress();
    if (external) expect(await connects(external, port)).toBe(false);
  });

  it('binds every address by default in production (compose and the chart also set HOST)', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SECRETS_SOURCE: 'files',
      SECRETS_DIR: '/secrets',
      STORAGE_DRIVER: 'redis',
      REDIS_HOST: 'redis',
      AUTH_ISSUER: 'https://idp.example',
      AUTH_AUDIENCE: 'patient-api',
    });
    expect(config.http.host).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'development' }).http.host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'development', HOST: '0.0.0.0' }).http.host).toBe('0.0.0.0');
  });

  it('with stdout not a terminal: no token, but how to mint one', async () => {
    const { api } = await startDev();
    await api.waitFor(/dev token/);
    expect(api.output).not.toMatch(JWT);
    expect(logLines(api.output).map((line) => line.msg)).toContain(
      'dev token: not printed (stdout is not a terminal); mint one with npm run dev:token',
    );
  });

  it('with stdout a terminal: readable lines, and the ready-made token', async () => {
    const { api } = await startDev({ tty: true });
    await api.waitFor(JWT);
    expect(api.output).toContain('Dev token (every scope, valid 12 h');
    // pino-pretty's lines, not JSON: "[12:00:00.000] INFO: Server: listening on https://..."
    const text = stripVTControlCharacters(api.output);
    expect(text).toMatch(/^\[[\d:.]+\] INFO: Server: listening on https:\/\/127\.0\.0\.1:/m);
    expect(text).not.toMatch(/^\{"level"/m);
  });
});
