import { TestRedisCluster } from '@test/support/redis-cluster';
import { useTestApi } from '@test/support/test-api';
import { tenancySuite } from '../tenancy';

describe('clinics are tenants (Redis Cluster, 3 masters and 3 replicas, over TLS)', () => {
  tenancySuite(
    useTestApi({
      redis: ({ secrets }) => TestRedisCluster.start(secrets, { announceHostnames: true }),
      logs: true,
    }),
    { direct: false },
  );
});
