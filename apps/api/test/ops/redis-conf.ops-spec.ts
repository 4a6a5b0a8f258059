import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect as connectTls } from 'node:tls';
import type { RedisClient } from '@app/storage';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';
import { freePort } from '@test/support/ports';
import { connectDirect } from '@test/support/redis-cluster';
import { redisOptionsFor } from '@test/support/redis-fixture';
import { redisServerBinary, type TestRedisServer } from '@test/support/redis-server';

const CONF = resolve(__dirname, '../../../../docker/redis/redis.conf');

describe('docker/redis/redis.conf', () => {
  let secrets: DevSecrets;
  let dir: string;
  let port: number;
  let child: ChildProcess;
  let client: RedisClient;

  beforeAll(async () => {
    secrets = await makeDevSecrets();
    dir = await mkdtemp(join(tmpdir(), 'redis-conf-'));
    port = await freePort();
    // The file as shipped, but for where things are on this machine: the data folder (Redis
    // enters it while reading the file), then the port and the certificates on the command line.
    const conf = join(dir, 'redis.conf');
    const shipped = await readFile(CONF, 'utf8');
    expect(shipped).toMatch(/^dir \/data$/m);
    await writeFile(conf, shipped.replace(/^dir \/data$/m, `dir ${dir}`));
    child = spawn(
      redisServerBinary(),
      [
        conf,
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        join(secrets.secretsDir, 'redis.crt'),
        '--tls-key-file',
        join(secrets.secretsDir, 'redis.key'),
        '--tls-ca-cert-file',
        join(secrets.secretsDir, 'redis-ca.crt'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((ready, fail) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/Ready to accept connections/.test(output)) ready();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => fail(new Error(`redis-server exited (${code}):\n${output}`)));
    });
    client = await connectDirect(await redisOptionsFor(secrets, { port } as TestRedisServer));
  });

  afterAll(async () => {
    client?.disconnect();
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
    await rm(secrets.stateDir, { recursive: true, force: true });
  });

  const config = async (name: string) =>
    ((await client.call('CONFIG', 'GET', name)) as string[])[1];

  it('parses on this Redis and makes every write durable before it is acknowledged', async () => {
    expect(await config('appendonly')).toBe('yes');
    expect(await config('appendfsync')).toBe('always');
    expect(await config('no-appendfsync-on-rewrite')).toBe('no');
    expect(await config('maxmemory-policy')).toBe('noeviction');
    expect(await client.set('probe', '1')).toBe('OK');
  });

  it('takes TLS connections only, and only with a client certificate', async () => {
    expect(await config('port')).toBe('0');
    expect(await config('tls-auth-clients')).toBe('yes');
    expect(await config('tls-replication')).toBe('yes');

    // A client without a certificate gets no answer to anything.
    const answer = await new Promise<string>((done) => {
      const socket = connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false });
      let data = '';
      socket.on('secureConnect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('error', () => done(`refused: ${data}`));
      socket.on('close', () => done(`closed: ${data}`));
    });
    expect(answer).not.toContain('PONG');
  });
});
