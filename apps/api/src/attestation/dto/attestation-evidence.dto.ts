import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  AttestationEvidence,
  CertificateFingerprints,
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

  /** Of the CA certificate that issued it (under SCONE: the CA that CAS exports). */
  @ApiPropertyOptional({
    example: '77de01f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e',
    pattern: '^[0-9a-f]{64}$',
  })
  issuerSha256?: string;
}

/** What the SCONE runtime reports: it attested the enclave to CAS before the program started. */
export class SconeEvidenceDto implements SconeEvidence {
  /** `SCONE_CONFIG_ID`: `<session>/<service>` of the CAS policy. */
  @ApiProperty({ type: String, nullable: true, example: 'patient-api-1234/api' })
  configId!: string | null;

  /** The CAS session: pass it to `npm run cas:ca -- --session`. */
  @ApiProperty({ type: String, nullable: true, example: 'patient-api-1234' })
  session!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'api' })
  service!: string | null;

  /** The CAS that attested this enclave. */
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

  /** 64 bytes, hex: sha256 of the API's TLS SPKI (DER), then sha256 of the nonce's bytes. */
  @ApiProperty({ type: String, nullable: true, pattern: '^[0-9a-f]{128}$' })
  reportData!: string | null;

  /** The whole quote, base64, for an SGX quote verifier. */
  @ApiProperty({ type: String, nullable: true, format: 'byte' })
  quote!: string | null;
}

/** Evidence of where this service runs, for a client to check before it sends patient data. */
export class AttestationEvidenceDto implements AttestationEvidence {
  @ApiProperty({ enum: ['none', 'scone', 'gramine'], example: 'scone' })
  provider!: 'none' | 'scone' | 'gramine';

  /** Whether this process runs inside a trusted execution environment, per the provider. */
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

  /** Present with the scone provider. */
  @ApiPropertyOptional({ type: SconeEvidenceDto })
  scone?: SconeEvidenceDto;

  /** Present with the gramine provider. */
  @ApiPropertyOptional({ type: GramineEvidenceDto })
  gramine?: GramineEvidenceDto;
}
