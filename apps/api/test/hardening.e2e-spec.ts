import { connect } from 'node:tls';
import type { TestApi } from '@test/support/api';
import { useTestApi } from '@test/support/test-api';

describe('hardening', () => {
  const api = useTestApi({ env: { RATE_LIMIT_PER_MINUTE: '20' } });

  it('sends the security headers and no x-powered-by', async () => {
    const res = await api.client.get('/patient/none');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers no CORS headers when no origin is allowed', async () => {
    const res = await api.client.request('OPTIONS', '/patient/none', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a client that offers TLS 1.1 at most', async () => {
    const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: api.api.port,
        ca: api.secrets.apiCa,
        servername: 'localhost',
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        reject(new Error(`connected with ${socket.getProtocol()}`));
      });
      socket.once('error', resolve);
    });
    // The server's protocol_version alert, not a client-side refusal.
    expect(error.code).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });

  it('accepts TLS 1.2 and 1.3', async () => {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const protocol = await new Promise<string | null>((resolve, reject) => {
        const socket = connect({
          host: '127.0.0.1',
          port: api.api.port,
          ca: api.secrets.apiCa,
          servername: 'localhost',
          minVersion: version,
          maxVersion: version,
        });
        socket.once('secureConnect', () => {
          resolve(socket.getProtocol());
          socket.destroy();
        });
        socket.once('error', reject);
      });
      expect(protocol).toBe(version);
    }
  });

  it('rate-limits a client with 429, Retry-After and a problem document', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<TestApi['client']['get']>> | undefined;
    for (let i = 0; i < 30 && !limited; i++) {
      const res = await api.client.get('/patient/none');
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.filter((s) => s === 404).length).toBeGreaterThan(5);
    expect(limited).toBeDefined();
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited!.headers['content-type']).toMatch(/problem\+json/);
    expect(limited!.json()).toMatchObject({ status: 429, title: 'Too many requests' });
  });
});

describe('CORS with an allow-list', () => {
  const api = useTestApi({ env: { CORS_ORIGINS: 'https://clinic.example' } });

  it('allows the listed origin only', async () => {
    const preflight = (origin: string) =>
      api.anonymous.request('OPTIONS', '/patient/x', {
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'authorization,if-match',
        },
      });
    const allowed = await preflight('https://clinic.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://clinic.example');
    expect(String(allowed.headers['access-control-allow-headers']).toLowerCase()).toContain(
      'if-match',
    );
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
