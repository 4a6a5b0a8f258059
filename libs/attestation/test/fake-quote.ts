import { randomBytes } from 'node:crypto';
import { SGX_QUOTE_LAYOUT } from '@app/attestation';

export interface FakeQuoteFields {
  mrenclave?: Buffer;
  mrsigner?: Buffer;
  reportData: Buffer;
  /** Sets the DEBUG attribute, as a debug enclave's quote has it. */
  debug?: boolean;
}

/**
 * Bytes shaped like a DCAP SGX quote (version 3: header, report body, signature length and
 * data), with the given fields at their offsets. Not signed: no test here can verify a quote.
 */
export function fakeSgxQuote(fields: FakeQuoteFields): Buffer {
  const signature = randomBytes(64);
  const quote = Buffer.alloc(SGX_QUOTE_LAYOUT.reportData.offset + 64 + 4 + signature.length);
  quote.writeUInt16LE(3, 0); // version
  quote.writeUInt16LE(2, 2); // attestation key type: ECDSA-256 with P-256
  // ATTRIBUTES.FLAGS: INIT | MODE64BIT, and DEBUG when asked.
  quote.writeUInt8(
    0x01 | 0x04 | (fields.debug ? 0x02 : 0),
    SGX_QUOTE_LAYOUT.attributesFlags.offset,
  );
  (fields.mrenclave ?? randomBytes(32)).copy(quote, SGX_QUOTE_LAYOUT.mrenclave.offset);
  (fields.mrsigner ?? randomBytes(32)).copy(quote, SGX_QUOTE_LAYOUT.mrsigner.offset);
  fields.reportData.copy(quote, SGX_QUOTE_LAYOUT.reportData.offset);
  quote.writeUInt32LE(signature.length, 432);
  signature.copy(quote, 436);
  return quote;
}
