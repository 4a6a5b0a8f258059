import { errors } from 'jose';
import { makeSigner, type TestSigner } from '@test/support/tokens';
import { TokenKeysUnavailableError } from './auth-errors';
import { RemoteKeySet } from './remote-key-set';

/** The cooldown and staleness rules on a fake clock (the HTTPS side: jwks-failures.e2e-spec). */
describe('RemoteKeySet', () => {
  const COOLDOWN_MS = 30_000;
  const MAX_AGE_MS = 600_000;
  let signer: TestSigner;
  let clock: number;
  let fetches: number;
  let answer: () => Promise<unknown>;

  const keySet = () =>
    new RemoteKeySet(
      () => {
        fetches++;
        return answer();
      },
      { cooldownMs: COOLDOWN_MS, maxAgeMs: MAX_AGE_MS, now: () => clock },
    );
  const keyFor = (set: RemoteKeySet, kid: string) =>
    set.getKey({ alg: 'ES256', kid }, { payload: '', signature: '' });
  const serve = () => Promise.resolve({ keys: [signer.publicJwk] });
  const fail = () => Promise.reject(new Error('the JWKS URL answered 500'));

  beforeAll(async () => {
    signer = await makeSigner('k1');
  });
  beforeEach(() => {
    clock = 1_000_000;
    fetches = 0;
  });

  it('counts a failed fetch toward the cooldown, answering unavailable meanwhile', async () => {
    answer = fail;
    const set = keySet();
    for (let i = 0; i < 5; i++)
      await expect(keyFor(set, `random-${i}`)).rejects.toBeInstanceOf(TokenKeysUnavailableError);
    expect(fetches).toBe(1);

    clock += COOLDOWN_MS;
    answer = serve;
    await expect(keyFor(set, 'k1')).resolves.toBeDefined();
    expect(fetches).toBe(2);
  });

  it('shares one fetch among concurrent callers', async () => {
    let release: () => void = () => undefined;
    answer = () =>
      new Promise((resolve) => (release = () => resolve({ keys: [signer.publicJwk] })));
    const set = keySet();
    const waiting = Promise.all([keyFor(set, 'k1'), keyFor(set, 'k1'), keyFor(set, 'k1')]);
    release();
    expect(await waiting).toHaveLength(3);
    expect(fetches).toBe(1);
  });

  it('refetches for an unknown kid at most once per cooldown after a success too', async () => {
    answer = serve;
    const set = keySet();
    await keyFor(set, 'k1');
    await expect(keyFor(set, 'rotated')).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(fetches).toBe(1);
    clock += COOLDOWN_MS;
    await expect(keyFor(set, 'rotated')).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(fetches).toBe(2);
  });

  it('keeps using a stale set whose refresh failed, for the kids it holds', async () => {
    answer = serve;
    const set = keySet();
    await keyFor(set, 'k1');
    clock += MAX_AGE_MS;
    answer = fail;
    await expect(keyFor(set, 'k1')).resolves.toBeDefined();
    expect(fetches).toBe(2);
    await expect(keyFor(set, 'rotated')).rejects.toBeInstanceOf(TokenKeysUnavailableError);
    expect(fetches).toBe(2);
  });

  it('treats an answer that is not a key set as a failure', async () => {
    answer = () => Promise.resolve({ keys: 'none' });
    await expect(keyFor(keySet(), 'k1')).rejects.toBeInstanceOf(TokenKeysUnavailableError);
  });
});
