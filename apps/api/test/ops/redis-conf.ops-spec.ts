import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { redisTlsFilesIn, TestRedisServer } from '@test/support/redis-server';
import { useTestBed } from '@test/support/test-bed';

const CONF = resolve(__dirname, '../../../../docker/redis/redis.conf');

describe('docker/redis/redis.conf', () => {
  const bed = useTestBed({
    // The file as shipped, but for where things are on this machine: the data folder (Redis
    // enters it while reading the file), then the port and the certificates on the command line.
    redis: async ({ secrets, dir }) => {
      const conf = join(dir, 'redis.conf');
      const shipped = await readFile(CONF, 'utf8');
      expect(shipped).toMatch(/^dir \/data$/m);
      await writeFile(conf, shipped.replace(/^dir \/data$/m, `dir ${dir}`));
      return TestRedisServer.start({
        tls: redisTlsFilesIn(secrets.secretsDir),
        dir,
        configFile: conf,
      });
    },
    direct: true,
  });

  const config = async (name: string) =>
    ((await bed.direct.call('CONFIG', 'GET', name)) as string[])[1];

  it('parses on this Redis and makes every write durable before it is acknowledged', async () => {
    expect(await config('appendonly')).toBe('yes');
    expect(await config('appendfsync')).toBe('always');
    expect(await config('no-appendfsync-on-rewrite')).toBe('no');
    expect(await config('maxmemory-policy')).toBe('noeviction');
    expect(await bed.direct.set('probe', '1')).toBe('OK');
  });

  it('takes TLS connections only, and only with a client certificate', async () => {
    expect(await config('port')).toBe('0');
    expect(await config('tls-auth-clients')).toBe('yes');
    expect(await config('tls-replication')).toBe('yes');

    // A client without a certificate gets no answer to anything.
    const answer = await new Promise<string>((done) => {
      const socket = connectTls({
        host: '127.0.0.1',
        port: bed.redis.port,
        rejectUnauthorized: false,
      });
      let data = '';
      socket.on('secureConnect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('error', () => done(`refused: ${data}`));
      socket.on('close', () => done(`closed: ${data}`));
    });
    expect(answer).not.toContain('PONG');
  });
});
