import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { RecordKeyRing } from '@app/secrets';
import { CipherError, RecordCipher, SealedBox } from './record-cipher';

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with a random 96-bit nonce per record and a key ring for rotation. */
export class AesGcmRecordCipher extends RecordCipher {
  readonly activeKeyId: string;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(ring: RecordKeyRing) {
    super();
    const active = ring.keys.get(ring.activeKeyId);
    if (!active || active.length !== 32)
      throw new CipherError('the active record key must be 32 bytes');
    this.activeKeyId = ring.activeKeyId;
    this.keys = ring.keys;
  }

  seal(plaintext: Buffer, aad: Buffer): SealedBox {
    const iv = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key(this.activeKeyId), iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(aad);
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { kid: this.activeKeyId, iv, ct, tag: cipher.getAuthTag() };
  }

  open(box: SealedBox, aad: Buffer): Buffer {
    if (box.iv.length !== NONCE_BYTES || box.tag.length !== TAG_BYTES) {
      throw new CipherError('malformed nonce or tag');
    }
    const decipher = createDecipheriv(ALGORITHM, this.key(box.kid), box.iv, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(box.tag);
    try {
      return Buffer.concat([decipher.update(box.ct), decipher.final()]);
    } catch {
      throw new CipherError('authentication failed');
    }
  }

  private key(kid: string): Buffer {
    const key = this.keys.get(kid);
    if (!key) throw new CipherError('unknown key id');
    return key;
  }
}
