import { useTestApi } from '@test/support/test-api';
import { tenancySuite } from './tenancy';

describe('clinics are tenants (Redis standalone)', () => {
  tenancySuite(useTestApi({ redis: true, direct: true, logs: true }), { direct: true });
});
