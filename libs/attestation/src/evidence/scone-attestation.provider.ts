import {
  apiCertificateItem,
  AttestationEvidence,
  AttestationProvider,
  CertificateFingerprints,
  checkNonce,
  EvidenceItem,
  SconeEvidence,
  TeeStatus,
} from './attestation-provider';

/** What the SCONE runtime and the CAS policy tell the program (validated config). */
export interface SconeSettings {
  configId?: string;
  casAddr?: string;
  lasAddr?: string;
}

/**
 * Why ATTESTATION_REQUIRED=true cannot be met under SCONE, and what to rely on instead: one line,
 * for the boot failure.
 */
export const SCONE_REQUIRED_REFUSAL =
  'ATTESTATION_REQUIRED=true cannot be met with the scone provider: the SCONE runtime attests ' +
  'the enclave to CAS before main and gives the program no quote or report to check, so ' +
  'SCONE_CONFIG_ID and SCONE_CAS_ADDR are only configuration. Rely on the CAS policy instead ' +
  '(it releases the TLS key only to the enclave it measured; clients check the certificate ' +
  'against the CA CAS exports, npm run cas:ca) and unset ATTESTATION_REQUIRED, or run under ' +
  'Gramine (ATTESTATION_PROVIDER=gramine), whose quote this process reads itself.';

const CAS_CHECK =
  'Fetch the CA that CAS exports for the session (npm run cas:ca) from a CAS you have attested ' +
  '(scone cas attest) and check that the certificate of your connection chains to it.';

/**
 * Under SCONE the runtime attests the enclave to CAS (through LAS) before `main` runs, and CAS
 * releases the policy's secrets, the TLS key among them, only to an enclave whose measurement
 * the policy lists. The program is given no quote, report or verdict of that attestation, and
 * nothing it can see (SCONE_* variables, injected files, device nodes) tells an enclave from a
 * process that was handed the same configuration. So it reports no TEE, and names what its
 * configuration says as claims; the evidence a client can check is the certificate chain to the
 * CA CAS exports, which holds whatever this process says.
 */
export class SconeAttestationProvider extends AttestationProvider {
  readonly name = 'scone' as const;

  constructor(
    private readonly fingerprints: CertificateFingerprints,
    private readonly settings: SconeSettings,
  ) {
    super();
  }

  status(): Promise<TeeStatus> {
    const { configId, casAddr } = this.settings;
    const configured = configId
      ? `The configuration says this process runs under the CAS policy "${configId}"` +
        `${casAddr ? ` of the CAS at ${casAddr}` : ''}, but`
      : 'SCONE_CONFIG_ID is not set, and in any case';
    return Promise.resolve({
      tee: false,
      statement:
        `Not attested by this process. ${configured} the SCONE runtime gives the program no quote ` +
        'or report of its attestation to check, so these are unverified claims (see claims). ' +
        `To check: ${CAS_CHECK} CAS releases that certificate's key only to an enclave whose ` +
        'measurement its policy lists. The nonce is echoed, not bound.',
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
      claims: this.claims(),
      scone: this.details(),
    };
  }

  private claims(): EvidenceItem[] {
    const { configId, casAddr, lasAddr } = this.settings;
    const claims: EvidenceItem[] = [];
    const fromVariable = (name: string) =>
      `Configuration (${name}); the program cannot confirm that the runtime used it.`;
    if (configId) {
      claims.push({
        field: 'scone.configId',
        basis: fromVariable('SCONE_CONFIG_ID'),
        clientCheck: `Read the session's policy from CAS and check its MRENCLAVE; then: ${CAS_CHECK}`,
      });
    }
    if (casAddr) {
      claims.push({
        field: 'scone.casAddress',
        basis: fromVariable('SCONE_CAS_ADDR'),
        clientCheck: 'Attest that CAS yourself (scone cas attest) before trusting what it exports.',
      });
    }
    if (lasAddr) {
      claims.push({
        field: 'scone.lasAddress',
        basis: fromVariable('SCONE_LAS_ADDR'),
        clientCheck: 'Nothing to check: CAS, not LAS, decides what the enclave is given.',
      });
    }
    if (this.fingerprints.issuerSha256) {
      claims.push({
        field: 'apiCertificate.issuerSha256',
        basis:
          'This process checked that this CA signed its certificate, not that the CA is the one ' +
          'CAS generated for the session: both came from its configuration.',
        clientCheck: CAS_CHECK,
      });
    }
    return claims;
  }

  private details(): SconeEvidence {
    const configId = this.settings.configId ?? null;
    // `<session>/<service>`; sessions may sit in namespaces (`ns/session/service`).
    const cut = configId?.lastIndexOf('/') ?? -1;
    return {
      configId,
      session: configId && cut > 0 ? configId.slice(0, cut) : null,
      service: configId && cut > 0 ? configId.slice(cut + 1) : null,
      casAddress: this.settings.casAddr ?? null,
      lasAddress: this.settings.lasAddr ?? null,
    };
  }
}
