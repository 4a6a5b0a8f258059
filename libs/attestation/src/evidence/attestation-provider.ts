/** Which kind of evidence this process can give. */
export type AttestationProviderName = 'none' | 'scone' | 'gramine';

/** Nonces clients send with an evidence request: 16 to 64 random bytes. */
export const NONCE_MIN_BYTES = 16;
export const NONCE_MAX_BYTES = 64;

/** SHA-256 fingerprints (lowercase hex) of the certificate the API serves TLS with. */
export interface CertificateFingerprints {
  /** Of the certificate (DER). */
  sha256: string;
  /** Of its SubjectPublicKeyInfo (DER): the key the TLS handshake proves possession of. */
  spkiSha256: string;
  /** Of the CA certificate that issued it, when the secret source knows it. */
  issuerSha256?: string;
}

/** What a SCONE-run service knows of its own attestation: the runtime did it before main. */
export interface SconeEvidence {
  /** `SCONE_CONFIG_ID`: `<session>/<service>` of the CAS policy this process was started with. */
  configId: string | null;
  session: string | null;
  service: string | null;
  /** `SCONE_CAS_ADDR`: the CAS that attested this enclave and released its secrets. */
  casAddress: string | null;
  /** `SCONE_LAS_ADDR`: the local attestation service used. */
  lasAddress: string | null;
}

/** A Gramine SGX quote and the fields a verifier looks at first. */
export interface GramineEvidence {
  /** `<dir>/attestation_type`: `dcap`, `epid` or `none`. */
  attestationType: string;
  /** Enclave measurement, hex (quote offset 112, 32 bytes). */
  mrenclave: string | null;
  /** Hash of the enclave signer's key, hex (quote offset 176, 32 bytes). */
  mrsigner: string | null;
  /** The 64 report-data bytes, hex: sha256(API TLS SPKI DER) followed by sha256(nonce). */
  reportData: string | null;
  /** The whole quote, base64, for a verifier (DCAP quote verification library or IAS). */
  quote: string | null;
}

/** The answer to an evidence request. */
export interface AttestationEvidence {
  provider: AttestationProviderName;
  /** Whether this process runs inside a trusted execution environment, per the provider. */
  tee: boolean;
  /** Plain words: what is attested, how to check it, and what is not. */
  statement: string;
  /** The request's nonce, hex, echoed. */
  nonce: string;
  apiCertificate: CertificateFingerprints;
  scone?: SconeEvidence;
  gramine?: GramineEvidence;
}

/** Whether the process runs in a TEE, and why the provider thinks so. */
export interface TeeStatus {
  tee: boolean;
  statement: string;
}

/**
 * What evidence this process can produce about where it runs (the port; one adapter per
 * technology). Evidence carries no secrets and no patient data.
 */
export abstract class AttestationProvider {
  abstract readonly name: AttestationProviderName;

  /** Whether this process runs in a TEE; checked at boot when ATTESTATION_REQUIRED=true. */
  abstract status(): Promise<TeeStatus>;

  /** Evidence for a client's nonce (16 to 64 bytes). */
  abstract evidence(nonce: Buffer): Promise<AttestationEvidence>;
}

/** Evidence cannot be produced, or attestation is required and unavailable. */
export class AttestationError extends Error {
  override readonly name = 'AttestationError';
  readonly code = 'attestation_failed' as const;
}

export function checkNonce(nonce: Buffer): void {
  if (nonce.length < NONCE_MIN_BYTES || nonce.length > NONCE_MAX_BYTES) {
    throw new AttestationError(
      `a nonce must be ${NONCE_MIN_BYTES} to ${NONCE_MAX_BYTES} bytes, not ${nonce.length}`,
    );
  }
}
