import { createHash, createHmac, randomBytes } from 'node:crypto';
import { canonicalJson, eventHash, eventMac, GENESIS_HASH } from './audit-chain';
import { parseCheckpointLines } from './audit-verifier';

describe('the audit chain format', () => {
  it('writes canonical JSON: keys sorted at every depth, no white space, undefined left out', () => {
    expect(
      canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, skipped: undefined }),
    ).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
    expect(canonicalJson({ ü: 1, a: 'é"\n' })).toBe('{"a":"é\\"\\n","ü":1}');
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
  });

  it('hashes the previous hash’s bytes, then the event nested with its chain, seq and tenant', () => {
    const event = canonicalJson({ patientIds: ['p1'], seq: 'not the chain’s', action: 'x' });
    const hash = eventHash(GENESIS_HASH, 'clinic-a', '0123456789abcdef', 1, event);
    const expected = createHash('sha256')
      .update(Buffer.alloc(32))
      .update(`{"chain":"0123456789abcdef","event":${event},"seq":1,"tenant":"clinic-a"}`, 'utf8')
      .digest('hex');
    expect(hash).toBe(expected);
    // Any field changes it.
    expect(eventHash(GENESIS_HASH, 'clinic-b', '0123456789abcdef', 1, event)).not.toBe(hash);
    expect(eventHash(GENESIS_HASH, 'clinic-a', '0123456789abcdef', 2, event)).not.toBe(hash);
    expect(eventHash(hash, 'clinic-a', '0123456789abcdef', 1, event)).not.toBe(hash);
  });

  it('MACs the hash’s bytes with the audit key', () => {
    const key = randomBytes(32);
    const hash = 'ab'.repeat(32);
    expect(eventMac(key, hash)).toBe(
      createHmac('sha256', key).update(Buffer.from(hash, 'hex')).digest('hex'),
    );
    expect(eventMac(randomBytes(32), hash)).not.toBe(eventMac(key, hash));
  });
});

describe('checkpoint lines', () => {
  const hash = 'cd'.repeat(32);

  it('are read from a log, other lines skipped', () => {
    const log = [
      '{"level":30,"msg":"listening"}',
      `{"level":30,"time":1,"checkpoint":true,"tenant":"clinic-a","chain":"0123456789abcdef","seq":42,"hash":"${hash}","msg":"audit checkpoint"}`,
      'not json at all',
      `{"checkpoint":true,"tenant":"*","chain":"fedcba9876543210","seq":1,"hash":"${hash}"}`,
      '',
    ].join('\n');
    expect(parseCheckpointLines(log)).toEqual([
      { tenant: 'clinic-a', chain: '0123456789abcdef', seq: 42, hash },
      { tenant: '*', chain: 'fedcba9876543210', seq: 1, hash },
    ]);
  });

  it('refuse a checkpoint line without its fields, naming the line', () => {
    const log = `{"msg":"x"}\n{"checkpoint":true,"tenant":"clinic-a","chain":"c","seq":"42","hash":"${hash}"}`;
    expect(() => parseCheckpointLines(log)).toThrow('line 2: a checkpoint needs');
  });
});
