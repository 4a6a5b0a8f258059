import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthority, issueCertificate } from '@app/secrets';
import { fixture, type Teardown } from './fixture';
import { makeSigner, type TestSigner } from './tokens';

export interface JwksServerContext {
  /** The signers whose public keys are served; push one to rotate. */
  published: TestSigner[];
  /** How many times the key set was fetched. */
  fetches: number;
  /** AUTH_JWKS_URL and AUTH_JWKS_CA_FILE for an API that trusts this server. */
  env: Record<string, string>;
}

/** An identity provider's JWKS endpoint over HTTPS (its own CA), serving one key to begin with. */
export function useJwksServer(firstKid: string): JwksServerContext {
  return fixture('useJwksServer', async (teardown) => {
    const context: JwksServerContext = {
      published: [await makeSigner(firstKid)],
      fetches: 0,
      env: {},
    };
    context.env = await startIdpServer(teardown, (_req, res) => {
      context.fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: context.published.map((s) => s.publicJwk) }));
    });
    return context;
  });
}

/**
 * An HTTPS server on loopback with a CA of its own, as an identity provider runs, answering with
 * `handler`; closed by `teardown`. Returns AUTH_JWKS_URL and AUTH_JWKS_CA_FILE for the API.
 */
export async function startIdpServer(
  teardown: Teardown,
  handler: RequestListener,
): Promise<Record<string, string>> {
  const ca = await createAuthority('IdP test CA');
  const cert = await issueCertificate(ca, {
    commonName: 'idp',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    usages: ['server'],
  });
  const dir = await mkdtemp(join(tmpdir(), 'idp-'));
  teardown.add(() => rm(dir, { recursive: true, force: true }));
  const caFile = join(dir, 'idp-ca.crt');
  await writeFile(caFile, ca.pair.cert);
  const server = createServer({ cert: cert.cert, key: cert.key }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  teardown.add(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    AUTH_JWKS_URL: `https://127.0.0.1:${port}/.well-known/jwks.json`,
    AUTH_JWKS_CA_FILE: caFile,
  };
}
