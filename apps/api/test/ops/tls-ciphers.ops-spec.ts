import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testEnv } from '@test/support/api';
import { ApiProcess } from '@test/support/api-process';
import { secretsAsEnv } from '@test/support/dev-secrets';
import { HttpsClient } from '@test/support/https-client';
import { useTestBed } from '@test/support/test-bed';

const run = promisify(execFile);

interface Handshake {
  /** The suite the server chose, or null when it refused the handshake. */
  cipher: string | null;
  protocol: string | null;
  output: string;
}

/** `openssl s_client` against the API, offering only `args`' protocol and suites. */
async function handshake(port: number, args: string[]): Promise<Handshake> {
  // stdin at end of file: s_client quits right after the handshake.
  const child = spawn(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 15000 },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((done) => child.once('close', done));
  const chosen = /New, (TLSv[\d.]+), Cipher is (\S+)/.exec(output);
  const cipher = chosen && chosen[2] !== '(NONE)' ? chosen[2] : null;
  return { cipher, protocol: cipher ? chosen![1] : null, output };
}

/** The server said no (a handshake failure alert), rather than openssl not knowing the suite. */
function refusedByServer(result: Handshake): boolean {
  return result.cipher === null && /alert handshake failure|no shared cipher/.test(result.output);
}

describe('TLS suites of the built process', () => {
  const bed = useTestBed();

  /** Starts the API with these secrets' certificate: its port. */
  async function serve(env: Record<string, string>, ca: string): Promise<number> {
    const api = await ApiProcess.start({ ...testEnv(bed.secrets), AUTH_MODE: 'none', ...env });
    const http = new HttpsClient(api.url, ca);
    bed.cleanup(async () => {
      http.close();
      await api.kill();
    });
    await api.waitUntilReady(http);
    return api.port;
  }

  describe('with an ECDSA certificate (the dev PKI)', () => {
    let port: number;
    beforeAll(async () => {
      port = await serve({}, bed.secrets.apiCa);
    });

    it.each([
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
    ])('TLS 1.2 accepts %s (ECDHE, AEAD)', async (suite) => {
      const result = await handshake(port, ['-tls1_2', '-cipher', suite]);
      expect(result).toMatchObject({ cipher: suite, protocol: 'TLSv1.2' });
    });

    it.each([
      'ECDHE-ECDSA-AES128-SHA', // CBC, SHA-1
      'ECDHE-ECDSA-AES256-SHA384', // CBC
      'ECDHE-ECDSA-AES128-CCM8', // short tag
      'ECDHE-ECDSA-ARIA128-GCM-SHA256',
    ])('TLS 1.2 refuses %s', async (suite) => {
      const result = await handshake(port, ['-tls1_2', '-cipher', suite]);
      expect(refusedByServer(result)).toBe(true);
    });

    it('TLS 1.3 works as Node has it; TLS 1.1 is refused', async () => {
      const v13 = await handshake(port, ['-tls1_3']);
      expect(v13.protocol).toBe('TLSv1.3');
      expect(v13.cipher).toMatch(/^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/);
      const v11 = await handshake(port, ['-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0']);
      expect(v11.cipher).toBeNull();
    });
  });

  describe('with an RSA certificate', () => {
    let port: number;
    beforeAll(async () => {
      const dir = await bed.tempDir('rsa-');
      const [cert, key] = [join(dir, 'api.crt'), join(dir, 'api.key')];
      await run('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
        '-keyout', key, '-out', cert,
      ]); // prettier-ignore
      const pem = await readFile(cert, 'utf8');
      port = await serve(
        {
          ...(await secretsAsEnv(bed.secrets)),
          API_TLS_CERT: pem,
          API_TLS_KEY: await readFile(key, 'utf8'),
          API_TLS_CA: pem,
        },
        pem,
      );
    });

    it('refuses CBC: openssl s_client -tls1_2 -cipher AES128-SHA', async () => {
      expect(refusedByServer(await handshake(port, ['-tls1_2', '-cipher', 'AES128-SHA']))).toBe(
        true,
      );
    });

    it.each(['ECDHE-RSA-AES128-SHA', 'AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA256'])(
      'TLS 1.2 refuses %s (CBC, or no forward secrecy)',
      async (suite) => {
        expect(refusedByServer(await handshake(port, ['-tls1_2', '-cipher', suite]))).toBe(true);
      },
    );

    it.each(['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-CHACHA20-POLY1305'])(
      'TLS 1.2 accepts %s',
      async (suite) => {
        const result = await handshake(port, ['-tls1_2', '-cipher', suite]);
        expect(result).toMatchObject({ cipher: suite, protocol: 'TLSv1.2' });
      },
    );
  });
});
