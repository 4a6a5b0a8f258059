/** Which kind of evidence this process can give. */
export type AttestationProviderName = 'none' | 'scone' | 'gramine';

/** Nonces clients send with an evidence request: 16 to 64 random bytes. */
export const NONCE_MIN_BYTES = 16;
export const NONCE_MAX_BYTES = 64;

/** How long Gramine may take to give a quote (ATTESTATION_TIMEOUT_MS) unless configured. */
export const DEFAULT_ATTESTATION_TIMEOUT_MS = 5000;

/** SHA-256 fingerprints (lowercase hex) of the certificate the API serves TLS with. */
export interface CertificateFingerprints {
  /** Of the certificate (DER). */
  sha256: string;
  /** Of its SubjectPublicKeyInfo (DER): the key the TLS handshake proves possession of. */
  spkiSha256: string;
  /** Of the CA certificate that issued it, when the secret source knows it. */
  issuerSha256?: string;
}

/**
 * What the configuration of a SCONE-run service says about its attestation. Every field is a
 * claim: the runtime attests before `main` and gives the program nothing it could check.
 */
export interface SconeEvidence {
  /** `SCONE_CONFIG_ID`: `<session>/<service>` of the CAS policy, as configured. */
  configId: string | null;
  session: string | null;
  service: string | null;
  /** `SCONE_CAS_ADDR`: the CAS the configuration names. */
  casAddress: string | null;
  /** `SCONE_LAS_ADDR`: the local attestation service the configuration names. */
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
  /**
   * The DEBUG bit of the enclave's attributes (quote offset 96): a debug enclave's memory is
   * readable by the host, so it protects nothing.
   */
  debug: boolean | null;
  /** The 64 report-data bytes, hex: sha256(API TLS SPKI DER) followed by sha256(nonce). */
  reportData: string | null;
  /** The whole quote, base64, for a verifier (DCAP quote verification library or IAS). */
  quote: string | null;
}

/** One part of the evidence, and on what it rests. */
export interface EvidenceItem {
  /** The field of the evidence it is about: `apiCertificate`, `gramine.quote`, `scone.casAddress`. */
  field: string;
  /**
   * Plain words. In `verified`: what this process did to establish it. In `claims`: where the
   * value comes from (a variable, a file), which this process cannot check.
   */
  basis: string;
  /** What a client must still check, elsewhere, before relying on it. */
  clientCheck: string;
}

/** The answer to an evidence request. */
export interface AttestationEvidence {
  provider: AttestationProviderName;
  /**
   * True only for what this process established itself: a Gramine quote it obtained in this
   * request, over its TLS key and your nonce, from a non-debug enclave. Never from configuration.
   */
  tee: boolean;
  /** Plain words: what is attested, how to check it, and what is not. */
  statement: string;
  /** The request's nonce, hex, echoed. */
  nonce: string;
  apiCertificate: CertificateFingerprints;
  /** What this process verified or produced itself. */
  verified: EvidenceItem[];
  /** What it only reports from its configuration: unverified, for a client to check elsewhere. */
  claims: EvidenceItem[];
  scone?: SconeEvidence;
  gramine?: GramineEvidence;
}

/** Whether the process established that it runs in a TEE, and how (or why not). */
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

  /**
   * Whether this process can establish, now, that it runs in a TEE (Gramine: by obtaining a
   * quote); checked at boot when ATTESTATION_REQUIRED=true.
   */
  abstract status(): Promise<TeeStatus>;

  /** Evidence for a client's nonce (16 to 64 bytes). */
  abstract evidence(nonce: Buffer): Promise<AttestationEvidence>;
}

/** Evidence cannot be produced, or attestation is required and unavailable. */
export class AttestationError extends Error {
  override readonly name = 'AttestationError';
  readonly code = 'attestation_failed' as const;
}

/** What every provider establishes about the TLS certificate it names. */
export function apiCertificateItem(): EvidenceItem {
  return {
    field: 'apiCertificate',
    basis:
      'Computed by this process from the certificate it serves TLS with; the matching private key ' +
      'is in this process (TLS would not start otherwise). issuerSha256 names the CA whose ' +
      'signature on that certificate this process checked.',
    clientCheck:
      'Compare spkiSha256 with the public key of the certificate in your own TLS handshake.',
  };
}

export function checkNonce(nonce: Buffer): void {
  if (nonce.length < NONCE_MIN_BYTES || nonce.length > NONCE_MAX_BYTES) {
    throw new AttestationError(
      `a nonce must be ${NONCE_MIN_BYTES} to ${NONCE_MAX_BYTES} bytes, not ${nonce.length}`,
    );
  }
}
