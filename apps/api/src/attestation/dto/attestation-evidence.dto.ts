import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  AttestationEvidence,
  CertificateFingerprints,
  EvidenceItem,
  GramineEvidence,
  SconeEvidence,
} from '@app/attestation';

/** SHA-256 fingerprints (lowercase hex) of the certificate this API serves TLS with. */
export class CertificateFingerprintsDto implements CertificateFingerprints {
  /** Of the certificate (DER). */
  @ApiProperty({
    example: '3f1c9e0a5b7d2c4e8f6a1b3d5c7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e',
    pattern: '^[0-9a-f]{64}$',
  })
  sha256!: string;

  /**
   * Of its SubjectPublicKeyInfo (DER): compare with the public key of the certificate seen in the
   * TLS handshake.
   */
  @ApiProperty({
    example: '9a0b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b',
    pattern: '^[0-9a-f]{64}$',
  })
  spkiSha256!: string;

  /**
   * Of the CA certificate whose signature on it this process checked (under SCONE, meant to be the
   * CA that CAS exports: a claim until you compare it with what `npm run cas:ca` fetches).
   */
  @ApiPropertyOptional({
    example: '77de01f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e',
    pattern: '^[0-9a-f]{64}$',
  })
  issuerSha256?: string;
}

/**
 * What this service's configuration says of its SCONE attestation. Unverified claims, all of
 * them: the SCONE runtime gives the program nothing to check (see `claims`).
 */
export class SconeEvidenceDto implements SconeEvidence {
  /** `SCONE_CONFIG_ID`: `<session>/<service>` of the CAS policy, as configured. */
  @ApiProperty({ type: String, nullable: true, example: 'patient-api-1234/api' })
  configId!: string | null;

  /** The CAS session: pass it to `npm run cas:ca -- --session`. */
  @ApiProperty({ type: String, nullable: true, example: 'patient-api-1234' })
  session!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'api' })
  service!: string | null;

  /** `SCONE_CAS_ADDR`: the CAS the configuration names (attest it yourself). */
  @ApiProperty({ type: String, nullable: true, example: 'cas.example.org' })
  casAddress!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'las' })
  lasAddress!: string | null;
}

/** An SGX quote made by Gramine, and the fields a verifier looks at first. */
export class GramineEvidenceDto implements GramineEvidence {
  /** `dcap`, `epid` or `none`. */
  @ApiProperty({ example: 'dcap' })
  attestationType!: string;

  /** Enclave measurement, hex. */
  @ApiProperty({ type: String, nullable: true, pattern: '^[0-9a-f]{64}$' })
  mrenclave!: string | null;

  /** Hash of the enclave signer's key, hex. */
  @ApiProperty({ type: String, nullable: true, pattern: '^[0-9a-f]{64}$' })
  mrsigner!: string | null;

  /** The enclave's DEBUG attribute: a debug enclave's memory is readable by the host. */
  @ApiProperty({ type: Boolean, nullable: true, example: false })
  debug!: boolean | null;

  /** 64 bytes, hex: sha256 of the API's TLS SPKI (DER), then sha256 of the nonce's bytes. */
  @ApiProperty({ type: String, nullable: true, pattern: '^[0-9a-f]{128}$' })
  reportData!: string | null;

  /** The whole quote, base64, for an SGX quote verifier. */
  @ApiProperty({ type: String, nullable: true, format: 'byte' })
  quote!: string | null;
}

/** One part of the evidence, and on what it rests. */
export class EvidenceItemDto implements EvidenceItem {
  /** The field of this evidence it is about. */
  @ApiProperty({ example: 'gramine.quote' })
  field!: string;

  /**
   * In `verified`: what this process did to establish it. In `claims`: where the value comes
   * from (a variable, a file), which this process cannot check.
   */
  @ApiProperty({
    example:
      'Obtained from Gramine (attestation_type dcap) for this request. This process does not verify its signature.',
  })
  basis!: string;

  /** What a client must still check, elsewhere, before relying on it. */
  @ApiProperty({
    example:
      'Verify the quote with an SGX quote verifier and compare MRENCLAVE with the build you expect.',
  })
  clientCheck!: string;
}

/** Evidence of where this service runs, for a client to check before it sends patient data. */
export class AttestationEvidenceDto implements AttestationEvidence {
  @ApiProperty({ enum: ['none', 'scone', 'gramine'], example: 'gramine' })
  provider!: 'none' | 'scone' | 'gramine';

  /**
   * True only for what this process established itself: a Gramine quote obtained for this
   * request, over its TLS key and your nonce, from a non-debug enclave. Never from configuration:
   * always false under SCONE and with `none`.
   */
  @ApiProperty({ example: true })
  tee!: boolean;

  /** Plain words: what is attested, how to check it, and what is not. */
  @ApiProperty()
  statement!: string;

  /** The request's nonce, echoed (lowercase hex). */
  @ApiProperty({ example: '00112233445566778899aabbccddeeff' })
  nonce!: string;

  @ApiProperty({ type: CertificateFingerprintsDto })
  apiCertificate!: CertificateFingerprintsDto;

  /** What this process verified or produced itself (the TLS fingerprints; a Gramine quote). */
  @ApiProperty({ type: [EvidenceItemDto] })
  verified!: EvidenceItemDto[];

  /**
   * What it only reports from its configuration (under SCONE: the policy, the CAS, the CA):
   * unverified, for a client to check elsewhere.
   */
  @ApiProperty({ type: [EvidenceItemDto] })
  claims!: EvidenceItemDto[];

  /** Present with the scone provider. */
  @ApiPropertyOptional({ type: SconeEvidenceDto })
  scone?: SconeEvidenceDto;

  /** Present with the gramine provider. */
  @ApiPropertyOptional({ type: GramineEvidenceDto })
  gramine?: GramineEvidenceDto;
}
