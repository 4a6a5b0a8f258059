import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordKey } from '@app/storage/redis/redis-key-layout';
import { testEnv } from '@test/support/api';
import { SEED_FIELDS, seedWith } from '@test/support/seed';
import { useTestApi } from '@test/support/test-api';
import { AuditMaintenance } from '../../src/audit/audit-maintenance';
import { DEV_TENANT } from '../../src/auth/dev-token';
import { runBuiltCommand } from './storage-ops';

/** `npm run audit:verify` as shipped (the built command) against a real TLS Redis. */
describe('audit:verify (the built command)', () => {
  const api = useTestApi({ redis: true, direct: true, logs: true, env: { LOG_LEVEL: 'info' } });
  const verify = (args: string[] = []) =>
    runBuiltCommand('audit-verify', { ...testEnv(api.secrets), ...api.redis.env() }, args);

  it('exits 0 on an intact trail, also against the checkpoint lines of the log', async () => {
    await api.client.post('/patient/v-1', { json: SEED_FIELDS });
    await api.client.get('/patient/v-1');
    await api.client.put('/patient/v-1', { json: seedWith({ city: 'Tacoma' }) });
    const intact = await verify();
    expect({ code: intact.code, stderr: intact.stderr }).toEqual({ code: 0, stderr: '' });
    expect(intact.stdout).toMatch(/the audit trail verifies/);

    await api.api.app.get(AuditMaintenance).checkpoint();
    const log = join(api.dir, 'api.log');
    await writeFile(log, api.logs.join('\n'));
    const anchored = await verify(['--checkpoints', log]);
    expect(anchored.code).toBe(0);
    expect(anchored.stdout).toMatch(/[1-9]\d* checkpoints/);
  });

  it('exits 1 naming a record rolled back to an older envelope', async () => {
    await api.client.post('/patient/v-2', { json: SEED_FIELDS });
    const old = await api.direct.get(recordKey(DEV_TENANT, 'v-2'));
    await api.client.put('/patient/v-2', { json: seedWith({ city: 'Tacoma' }) });
    await api.direct.set(recordKey(DEV_TENANT, 'v-2'), old!);
    const run = await verify();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/record dev-clinic\/v-2: rolled[_ ]back/i);
  });

  it('exits 1 naming a record written without an event', async () => {
    const envelope = await api.direct.get(recordKey(DEV_TENANT, 'v-1'));
    await api.direct.set(recordKey(DEV_TENANT, 'v-3'), envelope!);
    const run = await verify();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/record dev-clinic\/v-3:/);
  });
});
