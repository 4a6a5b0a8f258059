import {
  apiCertificateItem,
  AttestationEvidence,
  AttestationProvider,
  CertificateFingerprints,
  checkNonce,
  TeeStatus,
} from './attestation-provider';

/** No TEE: says so plainly, and still names the TLS key so clients can pin it. */
export class NoneAttestationProvider extends AttestationProvider {
  readonly name = 'none' as const;

  constructor(private readonly fingerprints: CertificateFingerprints) {
    super();
  }

  status(): Promise<TeeStatus> {
    return Promise.resolve({
      tee: false,
      statement:
        'Nothing is attested: this service runs without a trusted execution environment ' +
        '(ATTESTATION_PROVIDER=none). The fingerprints identify its TLS key only; the nonce is ' +
        'echoed, not bound to any evidence.',
    });
  }

  async evidence(nonce: Buffer): Promise<AttestationEvidence> {
    checkNonce(nonce);
    const { tee, statement } = await this.status();
    return {
      provider: this.name,
      tee,
      statement,
      nonce: nonce.toString('hex'),
      apiCertificate: this.fingerprints,
      verified: [apiCertificateItem()],
      claims: [],
    };
  }
}
