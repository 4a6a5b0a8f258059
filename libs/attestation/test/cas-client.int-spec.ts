import { createAuthority } from '@app/secrets';
import { CAS_DEFAULT_PORT, CasClient, CasError, parseCasAddress } from '@app/attestation';
import { freePort } from '@test/support/ports';
import { FakeCas, FakeCasPki, makeCasPki } from './fake-cas';

/** The CAS client against a real HTTPS server on loopback answering CAS's documented shapes. */
describe('CasClient', () => {
  let pki: FakeCasPki;
  let cas: FakeCas;
  let apiCaPem: string;

  beforeAll(async () => {
    pki = await makeCasPki();
    cas = await FakeCas.start(pki.server);
    apiCaPem = (await createAuthority('Patient API CA')).pair.cert;
  });

  afterAll(() => cas?.stop());

  beforeEach(() => {
    cas.answer = null;
    cas.sessions.clear();
    cas.paths.length = 0;
  });

  const client = (options: Partial<ConstructorParameters<typeof CasClient>[0]> = {}) =>
    new CasClient({ address: cas.address, ca: pki.ca, timeoutMs: 5000, ...options });

  it('fetches a publicly exported value of a session', async () => {
    cas.sessions.set('patient-api-1', {
      api_ca_cert: { value: apiCaPem, kind: 'x509-ca' },
    });
    await expect(client().publicValue('patient-api-1', 'api_ca_cert')).resolves.toBe(apiCaPem);
    expect(cas.paths).toEqual(['/v1/values/session=patient-api-1']);
  });

  it('reads sessions inside namespaces', async () => {
    cas.sessions.set('clinic/patient-api-1', { api_ca_cert: { value: apiCaPem } });
    await expect(client().publicValue('clinic/patient-api-1', 'api_ca_cert')).resolves.toBe(
      apiCaPem,
    );
  });

  it("surfaces CAS's error object with its messages", async () => {
    cas.answer = () => ({
      status: 403,
      json: { msg: ['Access denied', 'secret api_ca_key is not exported publicly'] },
    });
    await expect(client().publicValues('patient-api-1')).rejects.toThrow(
      new CasError(
        `CAS at ${cas.address} refused (HTTP 403): Access denied; ` +
          'secret api_ca_key is not exported publicly',
      ),
    );
  });

  it('says which values a session exports when the one asked for is missing', async () => {
    cas.sessions.set('patient-api-1', { other_ca: { value: apiCaPem } });
    await expect(client().publicValue('patient-api-1', 'api_ca_cert')).rejects.toThrow(
      'session "patient-api-1" exports no public value "api_ca_cert" (it exports: other_ca)',
    );
    cas.sessions.set('patient-api-1', {});
    await expect(client().publicValue('patient-api-1', 'api_ca_cert')).rejects.toThrow(
      '(it exports none)',
    );
  });

  it('refuses an empty value', async () => {
    cas.sessions.set('patient-api-1', { api_ca_cert: { value: '' } });
    await expect(client().publicValue('patient-api-1', 'api_ca_cert')).rejects.toThrow(
      'the public value "api_ca_cert" of session "patient-api-1" is empty',
    );
  });

  it('refuses a CAS whose certificate does not chain to the CAS CA given', async () => {
    const other = await makeCasPki('Impostor CA');
    const impostor = await FakeCas.start(other.server);
    impostor.sessions.set('patient-api-1', { api_ca_cert: { value: apiCaPem } });
    try {
      const request = new CasClient({ address: impostor.address, ca: pki.ca }).publicValue(
        'patient-api-1',
        'api_ca_cert',
      );
      await expect(request).rejects.toThrow(CasError);
      await expect(request).rejects.toThrow(/does not verify against the CAS CA given/);
      // Nothing was asked of the impostor: the handshake failed first.
      expect(impostor.paths).toEqual([]);
    } finally {
      await impostor.stop();
    }
  });

  it("trusts only the system's CAs when no CAS CA is given", async () => {
    cas.sessions.set('patient-api-1', { api_ca_cert: { value: apiCaPem } });
    await expect(
      client({ ca: undefined }).publicValue('patient-api-1', 'api_ca_cert'),
    ).rejects.toThrow(/does not verify against the system's CAs/);
  });

  it('refuses a certificate issued for another name, and accepts it with --servername', async () => {
    cas.sessions.set('patient-api-1', { api_ca_cert: { value: apiCaPem } });
    const byOtherName = new CasClient({
      address: cas.address,
      ca: pki.ca,
      servername: 'cas.example.org',
    });
    await expect(byOtherName.publicValue('patient-api-1', 'api_ca_cert')).rejects.toThrow(
      /not issued for "cas\.example\.org"/,
    );
    const byItsName = new CasClient({ address: cas.address, ca: pki.ca, servername: 'cas' });
    await expect(byItsName.publicValue('patient-api-1', 'api_ca_cert')).resolves.toBe(apiCaPem);
  });

  it('skips verification with insecure, like curl -k', async () => {
    const other = await makeCasPki('Unverified CA');
    const unverified = await FakeCas.start(other.server);
    unverified.sessions.set('patient-api-1', { api_ca_cert: { value: apiCaPem } });
    try {
      const insecure = new CasClient({ address: unverified.address, insecure: true });
      await expect(insecure.publicValue('patient-api-1', 'api_ca_cert')).resolves.toBe(apiCaPem);
    } finally {
      await unverified.stop();
    }
  });

  it('gives up on a CAS that does not answer', async () => {
    cas.answer = () => 'hang';
    await expect(client({ timeoutMs: 300 }).publicValues('patient-api-1')).rejects.toThrow(
      new CasError(`CAS at ${cas.address} did not answer within 300 ms`),
    );
  });

  it('refuses a body that is not JSON', async () => {
    cas.answer = () => ({
      status: 200,
      text: '<html>proxy login</html>',
      contentType: 'text/html',
    });
    await expect(client().publicValues('patient-api-1')).rejects.toThrow(
      `CAS at ${cas.address} answered HTTP 200 with a body that is not JSON`,
    );
  });

  it('reports an HTTP error without an error object', async () => {
    cas.answer = () => ({ status: 500, json: { error: 'internal' } });
    await expect(client().publicValues('patient-api-1')).rejects.toThrow(
      `CAS at ${cas.address} answered HTTP 500`,
    );
  });

  it('refuses JSON without a values object', async () => {
    cas.answer = () => ({ status: 200, json: { value: apiCaPem } });
    await expect(client().publicValues('patient-api-1')).rejects.toThrow(
      'answered without a "values" object',
    );
  });

  it('keeps control characters from CAS out of its messages', async () => {
    cas.answer = () => ({ status: 400, json: { msg: ['bad\u001b[31m request\r\nforged line'] } });
    const error = await client()
      .publicValues('patient-api-1')
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(CasError);
    // eslint-disable-next-line no-control-regex
    expect((error as Error).message).not.toMatch(/[\u0000-\u001f]/);
    expect((error as Error).message).toContain('forged line');
  });

  it('refuses an oversized answer', async () => {
    cas.answer = () => ({ status: 200, text: 'x'.repeat(2 * 1024 * 1024) });
    await expect(client().publicValues('patient-api-1')).rejects.toThrow('more than 1 MiB');
  });

  it('checks the session name before asking', async () => {
    await expect(client().publicValues('../session=other')).rejects.toThrow(
      'is not a CAS session name',
    );
    await expect(client().publicValues('a,secret=b')).rejects.toThrow('is not a CAS session name');
    expect(cas.paths).toEqual([]);
  });

  it('says when CAS cannot be reached', async () => {
    const closed = await freePort();
    await expect(
      new CasClient({ address: `127.0.0.1:${closed}`, ca: pki.ca }).publicValues('s'),
    ).rejects.toThrow(`cannot reach CAS at 127.0.0.1:${closed} (ECONNREFUSED)`);
  });
});

describe('parseCasAddress', () => {
  it.each([
    ['cas', { host: 'cas', port: CAS_DEFAULT_PORT }],
    ['cas.example.org:9000', { host: 'cas.example.org', port: 9000 }],
    ['https://cas.example.org:8081/', { host: 'cas.example.org', port: 8081 }],
    ['10.1.2.3', { host: '10.1.2.3', port: CAS_DEFAULT_PORT }],
    ['[::1]:8443', { host: '::1', port: 8443 }],
    ['[fd00::5]', { host: 'fd00::5', port: CAS_DEFAULT_PORT }],
  ])('reads %s', (text, expected) => {
    expect(parseCasAddress(text)).toEqual(expected);
  });

  it.each(['', 'cas:', 'cas:99999', 'cas:0', 'a:b:c', 'http://cas', 'cas/path', 'ca s'])(
    'refuses %j',
    (text) => {
      expect(() => parseCasAddress(text)).toThrow(CasError);
    },
  );
});
