import type { PatientDocument } from '../patient-repository';
import { RecordCipher } from './record-cipher';
import { openEnvelope, parseEnvelope } from './record-codec';

/** The envelope version written before records had a tenant. */
const LEGACY_ENVELOPE_VERSION = 1;

/**
 * Reads the records of the layout before tenants (envelope v1, authenticated data: patient id and
 * revision only), for the tenant migration alone; nothing writes this format any more.
 */
export class LegacyRecordCodec {
  constructor(private readonly cipher: RecordCipher) {}

  open(id: string, raw: string): { rev: number; doc: PatientDocument } {
    const envelope = parseEnvelope(id, raw, LEGACY_ENVELOPE_VERSION);
    return {
      rev: envelope.rev,
      doc: openEnvelope(this.cipher, id, envelope, legacyAad(id, envelope.rev)),
    };
  }
}

/** What version 1 authenticated besides the ciphertext. */
function legacyAad(id: string, rev: number): Buffer {
  return Buffer.from(`patient-record/v${LEGACY_ENVELOPE_VERSION}\0${id}\0${rev}`, 'utf8');
}
