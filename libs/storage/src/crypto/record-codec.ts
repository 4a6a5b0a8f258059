import { RecordIntegrityError } from '../storage-errors';
import type { PatientDocument, StoredPatient } from '../patient-repository';
import { CipherError, RecordCipher } from './record-cipher';

/** Envelope format version; bump when the layout changes and keep reading the old ones. */
export const ENVELOPE_VERSION = 1;

/**
 * A stored record: a small JSON envelope. Only `rev` and `kid` are readable (Redis scripts need
 * the revision); everything about the patient is in the AES-GCM ciphertext. The additional
 * authenticated data binds the ciphertext to its patient id and revision, so a value copied to
 * another key, or a revision edited in place, fails authentication.
 */
interface Envelope {
  v: number;
  rev: number;
  kid: string;
  iv: string;
  ct: string;
  tag: string;
}

export class RecordCodec {
  constructor(private readonly cipher: RecordCipher) {}

  get activeKeyId(): string {
    return this.cipher.activeKeyId;
  }

  seal(id: string, rev: number, doc: PatientDocument): string {
    const box = this.cipher.seal(Buffer.from(JSON.stringify(doc), 'utf8'), aad(id, rev));
    const envelope: Envelope = {
      v: ENVELOPE_VERSION,
      rev,
      kid: box.kid,
      iv: box.iv.toString('base64'),
      ct: box.ct.toString('base64'),
      tag: box.tag.toString('base64'),
    };
    return JSON.stringify(envelope);
  }

  open(id: string, raw: string): StoredPatient {
    const envelope = parseEnvelope(id, raw);
    let plaintext: Buffer;
    try {
      plaintext = this.cipher.open(
        {
          kid: envelope.kid,
          iv: Buffer.from(envelope.iv, 'base64'),
          ct: Buffer.from(envelope.ct, 'base64'),
          tag: Buffer.from(envelope.tag, 'base64'),
        },
        aad(id, envelope.rev),
      );
    } catch (error) {
      if (error instanceof CipherError) throw new RecordIntegrityError(id, error.message);
      throw error;
    }
    let doc: PatientDocument;
    try {
      doc = JSON.parse(plaintext.toString('utf8')) as PatientDocument;
    } catch {
      throw new RecordIntegrityError(id, 'authenticated content is not a record');
    }
    return { id, rev: envelope.rev, doc };
  }

  /** The key id a stored value was sealed with (for rotation), without decrypting it. */
  keyIdOf(id: string, raw: string): string {
    return parseEnvelope(id, raw).kid;
  }
}

function aad(id: string, rev: number): Buffer {
  return Buffer.from(`patient-record/v${ENVELOPE_VERSION}\0${id}\0${rev}`, 'utf8');
}

function parseEnvelope(id: string, raw: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new RecordIntegrityError(id, 'stored value is not an envelope');
  }
  const e = value as Partial<Envelope> | null;
  if (
    e === null ||
    typeof e !== 'object' ||
    e.v !== ENVELOPE_VERSION ||
    !Number.isSafeInteger(e.rev) ||
    typeof e.kid !== 'string' ||
    typeof e.iv !== 'string' ||
    typeof e.ct !== 'string' ||
    typeof e.tag !== 'string'
  ) {
    throw new RecordIntegrityError(id, 'stored value is not a version 1 envelope');
  }
  return e as Envelope;
}
