import {
  AttestationEvidence,
  AttestationProvider,
  CertificateFingerprints,
  checkNonce,
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
 * Under SCONE the runtime attests the enclave to CAS (through LAS) before `main` runs, and CAS
 * releases the policy's secrets, the TLS key among them, only to an enclave whose measurement
 * the policy lists. The program has no quote of its own to show; its evidence is that chain:
 * the TLS key a client talks to is one only an attested enclave holds.
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
    const configId = this.settings.configId;
    if (!configId) {
      return Promise.resolve({
        tee: false,
        statement:
          'ATTESTATION_PROVIDER=scone, but SCONE_CONFIG_ID is not set: this process was not ' +
          'started under a CAS policy, so nothing is attested.',
      });
    }
    return Promise.resolve({
      tee: true,
      statement:
        `The SCONE runtime attested this enclave to CAS${this.casSuffix()} for the policy ` +
        `"${configId}" before the program started; CAS released the TLS key only to an enclave ` +
        'whose measurement that policy lists. To check: fetch the CA that CAS exports for the ' +
        'session (npm run cas:ca) and verify that the TLS certificate chains to it and that its ' +
        'fingerprints match these. The nonce is echoed, not bound: SCONE gives the program no quote.',
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
      scone: this.details(),
    };
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

  private casSuffix(): string {
    return this.settings.casAddr ? ` at ${this.settings.casAddr}` : '';
  }
}
