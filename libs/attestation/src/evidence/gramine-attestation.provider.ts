import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AttestationError,
  AttestationEvidence,
  AttestationProvider,
  CertificateFingerprints,
  checkNonce,
  GramineEvidence,
  TeeStatus,
} from './attestation-provider';

/** Gramine's attestation pseudo-files, in `/dev/attestation` by default. */
export const GRAMINE_FILES = {
  attestationType: 'attestation_type',
  userReportData: 'user_report_data',
  quote: 'quote',
} as const;

/** Where the fields sit in an SGX quote (48-byte header, then the enclave report body). */
export const SGX_QUOTE_LAYOUT = {
  mrenclave: { offset: 112, length: 32 },
  mrsigner: { offset: 176, length: 32 },
  reportData: { offset: 368, length: 64 },
} as const;
const MIN_QUOTE_BYTES = SGX_QUOTE_LAYOUT.reportData.offset + SGX_QUOTE_LAYOUT.reportData.length;

/** The pseudo-file operations the provider needs; tests emulate the device through this. */
export interface AttestationFiles {
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: Buffer): Promise<void>;
}

const nodeFiles: AttestationFiles = {
  readFile: (path) => readFile(path),
  writeFile: (path, data) => writeFile(path, data),
};

export interface SgxQuoteFields {
  mrenclave: Buffer;
  mrsigner: Buffer;
  reportData: Buffer;
}

/** Reads MRENCLAVE, MRSIGNER and REPORTDATA out of an SGX quote (EPID or DCAP, version 3). */
export function parseSgxQuote(quote: Buffer): SgxQuoteFields {
  if (quote.length < MIN_QUOTE_BYTES) {
    throw new AttestationError(
      `the quote is ${quote.length} bytes, shorter than an SGX quote's header and report (${MIN_QUOTE_BYTES})`,
    );
  }
  const field = ({ offset, length }: { offset: number; length: number }) =>
    Buffer.from(quote.subarray(offset, offset + length));
  return {
    mrenclave: field(SGX_QUOTE_LAYOUT.mrenclave),
    mrsigner: field(SGX_QUOTE_LAYOUT.mrsigner),
    reportData: field(SGX_QUOTE_LAYOUT.reportData),
  };
}

/** The 64 report-data bytes: sha256(API TLS SPKI DER) || sha256(nonce). */
export function gramineReportData(spkiSha256: string, nonce: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(spkiSha256, 'hex'),
    createHash('sha256').update(nonce).digest(),
  ]);
}

/**
 * Gramine-SGX: the enclave asks for a quote by writing 64 bytes of report data to
 * `<dir>/user_report_data` and reading `<dir>/quote`. The report data binds the quote to this
 * service's TLS key and to the client's nonce, so a client that verifies the quote knows the key
 * it talks to lives in that enclave, now.
 */
export class GramineAttestationProvider extends AttestationProvider {
  readonly name = 'gramine' as const;
  // The pseudo-files are per process: a second request between one's write and read would get
  // a quote over the other's report data. Requests take turns.
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fingerprints: CertificateFingerprints,
    private readonly dir: string,
    private readonly files: AttestationFiles = nodeFiles,
  ) {
    super();
  }

  async status(): Promise<TeeStatus> {
    return this.statusFor(await this.attestationType());
  }

  async evidence(nonce: Buffer): Promise<AttestationEvidence> {
    checkNonce(nonce);
    const type = await this.attestationType();
    const { tee, statement } = this.statusFor(type);
    const attestationType = type ?? 'none';
    const gramine: GramineEvidence = tee
      ? await this.inTurn(() => this.quote(nonce, attestationType))
      : { attestationType, mrenclave: null, mrsigner: null, reportData: null, quote: null };
    return {
      provider: this.name,
      tee,
      statement,
      nonce: nonce.toString('hex'),
      apiCertificate: this.fingerprints,
      gramine,
    };
  }

  private statusFor(type: string | null): TeeStatus {
    if (type === null) {
      return {
        tee: false,
        statement: `${this.path(GRAMINE_FILES.attestationType)} does not exist: this process does not run under Gramine, so nothing is attested.`,
      };
    }
    if (type === 'none') {
      return {
        tee: false,
        statement:
          'Gramine runs without SGX attestation (attestation_type is "none"), so nothing is attested.',
      };
    }
    return {
      tee: true,
      statement:
        `Gramine-SGX produced a quote (${type}). Its report data is sha256 of this service's TLS ` +
        'public key (SPKI) followed by sha256 of your nonce. To check: verify the quote with an ' +
        'SGX quote verifier, compare MRENCLAVE and MRSIGNER with the expected build, and compare ' +
        'the first half of the report data with the SPKI of the certificate of this connection.',
    };
  }

  private async quote(nonce: Buffer, attestationType: string): Promise<GramineEvidence> {
    const reportData = gramineReportData(this.fingerprints.spkiSha256, nonce);
    try {
      await this.files.writeFile(this.path(GRAMINE_FILES.userReportData), reportData);
    } catch (error) {
      throw new AttestationError(`cannot write ${GRAMINE_FILES.userReportData}: ${reason(error)}`);
    }
    let quote: Buffer;
    try {
      quote = await this.files.readFile(this.path(GRAMINE_FILES.quote));
    } catch (error) {
      throw new AttestationError(`cannot read ${GRAMINE_FILES.quote}: ${reason(error)}`);
    }
    const fields = parseSgxQuote(quote);
    if (!fields.reportData.equals(reportData)) {
      throw new AttestationError('the quote does not carry the report data just written');
    }
    return {
      attestationType,
      mrenclave: fields.mrenclave.toString('hex'),
      mrsigner: fields.mrsigner.toString('hex'),
      reportData: fields.reportData.toString('hex'),
      quote: quote.toString('base64'),
    };
  }

  private async attestationType(): Promise<string | null> {
    try {
      return (await this.files.readFile(this.path(GRAMINE_FILES.attestationType)))
        .toString('utf8')
        .trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new AttestationError(`cannot read ${GRAMINE_FILES.attestationType}: ${reason(error)}`);
    }
  }

  private inTurn<T>(task: () => Promise<T>): Promise<T> {
    const run = this.turn.then(task, task);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private path(name: string): string {
    return join(this.dir, name);
  }
}

function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
