import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { useFakeCas } from '@test/support/fake-cas';
import { useTestApi } from '@test/support/test-api';
import { makeCasPki } from '../../../libs/attestation/test/fake-cas';
import { run, type CliOutput } from '../src/bin/cas-ca';

/** What the command printed. */
class Captured implements CliOutput {
  out = '';
  err = '';
  stdout(text: string): void {
    this.out += text;
  }
  stderr(text: string): void {
    this.err += text;
  }
}

/**
 * `npm run cas:ca`: a client fetches the CA that CAS exports for the API's session, then trusts
 * the API with it, as the original's README did with `curl -k | jq` and `curl --cacert`.
 */
describe('cas:ca', () => {
  const bed = useTestApi({ start: false });
  // The API session exports its CA publicly; the dev PKI plays that CA here.
  const fake = useFakeCas(() => ({
    'patient-api-1': {
      api_ca_cert: { value: bed.secrets.apiCa },
      redis_ca_cert: { value: 'not exported publicly in real life' },
    },
  }));

  /** Arguments naming the fake CAS, a session and the CA to verify CAS with, then `more`. */
  const casArgs = (more: string[], { session = 'patient-api-1', casCa = fake.caFile } = {}) => [
    ...['--cas', fake.cas.address, '--session', session, '--cas-ca', casCa],
    ...more,
  ];

  it('saves the API CA, and the API is then trusted with it', async () => {
    const out = join(bed.dir, 'cacert.pem');
    const io = new Captured();
    const code = await run(casArgs(['--out', out]), io);
    expect({ code, err: io.err }).toEqual({
      code: 0,
      err: expect.stringContaining(`saved ${out}`),
    });
    expect(io.err).toContain('SHA-256:');
    expect(io.err).not.toContain('WARNING');
    expect(await readFile(out, 'utf8')).toBe(bed.secrets.apiCa);

    // curl --cacert cacert.pem https://...: the saved CA is all the client trusts.
    const api = await bed.start();
    const client = api.trusting(await readFile(out, 'utf8'));
    expect((await client.get(`/attestation?nonce=${'00'.repeat(16)}`)).status).toBe(200);
  });

  it('writes to stdout with --out -', async () => {
    const io = new Captured();
    const code = await run(casArgs(['--out', '-']), io);
    expect(code).toBe(0);
    expect(io.out).toBe(bed.secrets.apiCa);
  });

  it('refuses a value that is not a certificate, and writes nothing', async () => {
    const out = join(bed.dir, 'not-written.pem');
    const io = new Captured();
    const code = await run(casArgs(['--value', 'redis_ca_cert', '--out', out]), io);
    expect(code).toBe(1);
    expect(io.err).toContain(
      'cas:ca: "redis_ca_cert" of session "patient-api-1": no PEM certificate found',
    );
    expect(existsSync(out)).toBe(false);
  });

  it("shows CAS's messages when it refuses", async () => {
    const io = new Captured();
    const code = await run(casArgs(['--out', '-'], { session: 'unknown-session' }), io);
    expect(code).toBe(1);
    expect(io.err).toBe(
      `cas:ca: CAS at ${fake.cas.address} refused (HTTP 404): session unknown-session does not exist\n`,
    );
    expect(io.out).toBe('');
  });

  it('refuses a CAS that the CAS CA did not certify', async () => {
    const other = await makeCasPki('Another CAS CA');
    const otherCaFile = join(bed.dir, 'other-cas-ca.pem');
    await writeFile(otherCaFile, other.ca);
    const io = new Captured();
    const code = await run(casArgs(['--out', '-'], { casCa: otherCaFile }), io);
    expect(code).toBe(1);
    expect(io.err).toMatch(/does not verify against the CAS CA given/);
  });

  it('warns loudly with --insecure', async () => {
    const io = new Captured();
    const code = await run(
      ['--cas', fake.cas.address, '--session', 'patient-api-1', '--insecure', '--out', '-'],
      io,
    );
    expect(code).toBe(0);
    expect(io.err).toMatch(/^WARNING: --insecure: CAS is NOT verified/);
    expect(io.out).toBe(bed.secrets.apiCa);
  });

  it.each([
    [['--session', 's'], '--cas HOST[:PORT] is required'],
    [['--cas', 'cas'], '--session NAME is required'],
    [['--cas', 'cas', '--session', 's', '--insecure', '--cas-ca', 'x.pem'], 'exclude each other'],
    [['--cas', 'cas:70000', '--session', 's'], '--cas: "cas:70000" is not a CAS address'],
    [['--cas', 'cas', '--session', 's', '--timeout-ms', 'soon'], '--timeout-ms must be'],
    [['--cas', 'cas', '--session', 's', '--cas-ca', '/nonexistent/ca.pem'], 'cannot read (ENOENT)'],
    [['--cas', 'cas', '--session', 's', 'extra'], 'Unexpected argument'],
  ])('answers usage errors with exit code 2: %j', async (argv, message) => {
    const io = new Captured();
    expect(await run(argv, io)).toBe(2);
    expect(io.err).toContain(message);
    expect(io.err).toContain('usage: npm run cas:ca');
  });

  it('refuses a --cas-ca file that holds no certificate', async () => {
    const keyFile = join(bed.dir, 'key.pem');
    await writeFile(keyFile, fake.pki.server.key);
    const bad = new Captured();
    expect(await run(casArgs(['--out', join(bed.dir, 'never.pem')], { casCa: keyFile }), bad)).toBe(
      2,
    );
    expect(bad.err).toContain(`--cas-ca ${keyFile}: no PEM certificate found`);
  });

  // The bundle `npm run cas:ca` runs; only when a build is there (`npx nest build api`).
  const bundle = resolve(process.env.API_DIST_DIR ?? 'dist/apps/api', 'cas-ca.js');
  (existsSync(bundle) ? it : it.skip)('works from the built bundle', async () => {
    const out = join(bed.dir, 'from-bundle.pem');
    const { stderr } = await promisify(execFile)(
      process.execPath,
      [bundle, ...casArgs(['--out', out])],
      { timeout: 20_000 },
    );
    expect(stderr).toContain(`saved ${out}`);
    expect(await readFile(out, 'utf8')).toBe(bed.secrets.apiCa);
  });
});
