import { IsString, Matches } from 'class-validator';

export class AttestationQueryDto {
  /**
   * A fresh random value from the client, 16 to 64 bytes written as hex (32 to 128 hex digits).
   * Gramine binds it into the quote; other providers echo it.
   */
  @IsString()
  @Matches(/^(?:[0-9a-fA-F]{2}){16,64}$/, {
    message: 'must be 16 to 64 bytes written as hex (32 to 128 hex digits)',
  })
  nonce!: string;
}
