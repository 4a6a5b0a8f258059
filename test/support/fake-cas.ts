import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCas, makeCasPki, type FakeCasPki } from '../../libs/attestation/test/fake-cas';
import { fixture } from './fixture';

export interface FakeCasContext {
  cas: FakeCas;
  pki: FakeCasPki;
  /** The CAS CA as a file, as given to --cas-ca. */
  caFile: string;
}

/** A fake SCONE CAS over HTTPS exporting `sessions()` (read once the hooks before it have run). */
export function useFakeCas(
  sessions: () => Record<string, Record<string, unknown>>,
): FakeCasContext {
  return fixture('useFakeCas', async (teardown) => {
    const pki = await makeCasPki();
    const cas = await FakeCas.start(pki.server);
    teardown.add(() => cas.stop());
    for (const [name, values] of Object.entries(sessions())) cas.sessions.set(name, values);
    const dir = await mkdtemp(join(tmpdir(), 'cas-ca-'));
    teardown.add(() => rm(dir, { recursive: true, force: true }));
    const caFile = join(dir, 'cas-ca.pem');
    await writeFile(caFile, pki.ca);
    return { cas, pki, caFile };
  });
}
