import { RecordIntegrityError } from '../storage-errors';
import type { PatientDocument, StoredPatient } from '../patient-repository';
import { CipherError, RecordCipher } from './record-cipher';

/**
 * Envelope format version; bump when the layout or the authenticated data changes, and keep
 * reading the old ones where records in them may still exist (see legacy-record-codec.ts).
 * 2: the additional authenticated data names the tenant.
 */
const ENVELOPE_VERSION = 2;

/**
 * A stored record: a small JSON envelope. Only `rev` and `kid` are readable (Redis scripts need
 * the revision); everything about the patient is in the AES-GCM ciphertext.
 */
interface Envelope {
  v: number;
  rev: number;
  kid: string;
  iv: string;
  ct: string;
  tag: string;
}

/**
 * Seals records for one tenant and id. The additional authenticated data binds the ciphertext to
 * its tenant, patient id and revision, so a value copied to another key (another patient, another
 * tenant), or a revision edited in place, fails authentication.
 */
export class RecordCodec {
  constructor(private readonly cipher: RecordCipher) {}

  get activeKeyId(): string {
    return this.cipher.activeKeyId;
  }

  seal(tenant: string, id: string, rev: number, doc: PatientDocument): string {
    return sealEnvelope(this.cipher, ENVELOPE_VERSION, aad(tenant, id, rev), rev, doc);
  }

  open(tenant: string, id: string, raw: string): StoredPatient {
    const envelope = parseEnvelope(id, raw, ENVELOPE_VERSION);
    const doc = openEnvelope(this.cipher, id, envelope, aad(tenant, id, envelope.rev));
    return { tenant, id, rev: envelope.rev, doc };
  }

  /** The revision a stored value holds, without decrypting it. */
  revisionOf(id: string, raw: string): number {
    return parseEnvelope(id, raw, ENVELOPE_VERSION).rev;
  }

  /** The key id a stored value was sealed with (for rotation), without decrypting it. */
  keyIdOf(id: string, raw: string): string {
    return parseEnvelope(id, raw, ENVELOPE_VERSION).kid;
  }
}

function aad(tenant: string, id: string, rev: number): Buffer {
  return Buffer.from(`patient-record/v${ENVELOPE_VERSION}\0${tenant}\0${id}\0${rev}`, 'utf8');
}

function sealEnvelope(
  cipher: RecordCipher,
  version: number,
  additionalData: Buffer,
  rev: number,
  doc: PatientDocument,
): string {
  const box = cipher.seal(Buffer.from(JSON.stringify(doc), 'utf8'), additionalData);
  const envelope: Envelope = {
    v: version,
    rev,
    kid: box.kid,
    iv: box.iv.toString('base64'),
    ct: box.ct.toString('base64'),
    tag: box.tag.toString('base64'),
  };
  return JSON.stringify(envelope);
}

export function openEnvelope(
  cipher: RecordCipher,
  id: string,
  envelope: Envelope,
  additionalData: Buffer,
): PatientDocument {
  let plaintext: Buffer;
  try {
    plaintext = cipher.open(
      {
        kid: envelope.kid,
        iv: Buffer.from(envelope.iv, 'base64'),
        ct: Buffer.from(envelope.ct, 'base64'),
        tag: Buffer.from(envelope.tag, 'base64'),
      },
      additionalData,
    );
  } catch (error) {
    if (error instanceof CipherError) throw new RecordIntegrityError(id, error.message);
    throw error;
  }
  try {
    return JSON.parse(plaintext.toString('utf8')) as PatientDocument;
  } catch {
    throw new RecordIntegrityError(id, 'authenticated content is not a record');
  }
}

export function parseEnvelope(id: string, raw: string, version: number): Envelope {
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
    e.v !== version ||
    !Number.isSafeInteger(e.rev) ||
    typeof e.kid !== 'string' ||
    typeof e.iv !== 'string' ||
    typeof e.ct !== 'string' ||
    typeof e.tag !== 'string'
  ) {
    throw new RecordIntegrityError(id, `stored value is not a version ${version} envelope`);
  }
  return e as Envelope;
}
