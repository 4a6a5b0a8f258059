/** One AES-GCM sealed value: which key, the nonce, the ciphertext and its tag. */
export interface SealedBox {
  kid: string;
  iv: Buffer;
  ct: Buffer;
  tag: Buffer;
}

/** Encryption of records at rest (the port). Implementations never log or return key material. */
export abstract class RecordCipher {
  /** The key new records are sealed with. */
  abstract readonly activeKeyId: string;
  abstract seal(plaintext: Buffer, aad: Buffer): SealedBox;
  /** Throws CipherError when the key is unknown or the box fails authentication. */
  abstract open(box: SealedBox, aad: Buffer): Buffer;
}

export class CipherError extends Error {
  override readonly name = 'CipherError';
}
