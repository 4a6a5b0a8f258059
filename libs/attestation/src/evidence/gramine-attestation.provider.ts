import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  apiCertificateItem,
  AttestationError,
  AttestationEvidence,
  AttestationProvider,
  CertificateFingerprints,
  checkNonce,
  DEFAULT_ATTESTATION_TIMEOUT_MS,
  EvidenceItem,
  GramineEvidence,
  TeeStatus,
} from './attestation-provider';
import { AttestationFiles, errorCode, nodeAttestationFiles } from './device-files';

/** Gramine's attestation pseudo-files, in `/dev/attestation` by default. */
export const GRAMINE_FILES = {
  attestationType: 'attestation_type',
  userReportData: 'user_report_data',
  quote: 'quote',
} as const;

export const DEFAULT_ATTESTATION_DIR = '/dev/attestation';

/** The attestation types under which Gramine makes SGX quotes. */
const QUOTING_TYPES: ReadonlySet<string> = new Set(['dcap', 'epid']);

/** Where the fields sit in an SGX quote (48-byte header, then the enclave report body). */
export const SGX_QUOTE_LAYOUT = {
  /** ATTRIBUTES.FLAGS (8 bytes, little-endian): bit 1 is DEBUG. */
  attributesFlags: { offset: 96, length: 8 },
  mrenclave: { offset: 112, length: 32 },
  mrsigner: { offset: 176, length: 32 },
  reportData: { offset: 368, length: 64 },
} as const;
const MIN_QUOTE_BYTES = SGX_QUOTE_LAYOUT.reportData.offset + SGX_QUOTE_LAYOUT.reportData.length;
const SGX_FLAGS_DEBUG = 0x02;

/** How long an aborted device read may take to end before the provider considers it stuck. */
const ABORT_GRACE_MS = 200;

export interface SgxQuoteFields {
  mrenclave: Buffer;
  mrsigner: Buffer;
  reportData: Buffer;
  debug: boolean;
}

/** Reads MRENCLAVE, MRSIGNER, REPORTDATA and the DEBUG bit out of an SGX quote (EPID or DCAP). */
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
    debug: (quote[SGX_QUOTE_LAYOUT.attributesFlags.offset] & SGX_FLAGS_DEBUG) !== 0,
  };
}

/** The 64 report-data bytes: sha256(API TLS SPKI DER) || sha256(nonce). */
export function gramineReportData(spkiSha256: string, nonce: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(spkiSha256, 'hex'),
    createHash('sha256').update(nonce).digest(),
  ]);
}

export interface GramineProviderOptions {
  /** How long one evidence request may wait for Gramine (ATTESTATION_TIMEOUT_MS). */
  timeoutMs?: number;
  /** The pseudo-file operations; tests emulate the device through this. */
  files?: AttestationFiles;
}

/** What one request to the device gave. */
interface DeviceAnswer {
  attestationType: string | null;
  quote?: GramineEvidence;
}

/**
 * Gramine-SGX: the enclave asks for a quote by writing 64 bytes of report data to
 * `<dir>/user_report_data` and reading `<dir>/quote` (Gramine, "Attestation and Secret
 * Provisioning": the low-level /dev/attestation interface). The report data binds the quote to
 * this service's TLS key and to the client's nonce, so a client that verifies the quote knows the
 * key it talks to lives in that enclave, now. Gramine offers no way to verify a quote from inside;
 * that is the client's part. The quote comes from the host's quoting enclave (AESM), which may not
 * answer: every request is bounded by `timeoutMs`.
 */
export class GramineAttestationProvider extends AttestationProvider {
  readonly name = 'gramine' as const;
  private readonly timeoutMs: number;
  private readonly files: AttestationFiles;
  // The pseudo-files are per process: a second request between one's write and read would get
  // a quote over the other's report data. Requests take turns.
  private turn: Promise<unknown> = Promise.resolve();
  /** Set while a device call that timed out and could not be aborted is still running. */
  private stuck: string | null = null;

  constructor(
    private readonly fingerprints: CertificateFingerprints,
    private readonly dir: string,
    options: GramineProviderOptions = {},
  ) {
    super();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ATTESTATION_TIMEOUT_MS;
    this.files = options.files ?? nodeAttestationFiles;
  }

  /** At boot: asks Gramine for a quote over fresh report data, as a request would. */
  async status(): Promise<TeeStatus> {
    let answer: DeviceAnswer;
    try {
      answer = await this.ask(randomBytes(32));
    } catch (error) {
      return { tee: false, statement: `Gramine gave no quote: ${(error as Error).message}.` };
    }
    const { tee, statement } = this.describe(answer);
    if (!tee) return { tee, statement };
    return {
      tee,
      statement:
        `Gramine-SGX (${answer.attestationType}) made a quote over report data this process ` +
        'chose at boot, from a non-debug enclave.',
    };
  }

  async evidence(nonce: Buffer): Promise<AttestationEvidence> {
    checkNonce(nonce);
    const answer = await this.ask(nonce);
    const { tee, statement } = this.describe(answer);
    const gramine: GramineEvidence = answer.quote ?? {
      attestationType: answer.attestationType ?? 'none',
      mrenclave: null,
      mrsigner: null,
      debug: null,
      reportData: null,
      quote: null,
    };
    return {
      provider: this.name,
      tee,
      statement,
      nonce: nonce.toString('hex'),
      apiCertificate: this.fingerprints,
      verified: [apiCertificateItem(), ...(answer.quote ? this.quoteItems(answer.quote) : [])],
      claims: this.claims(answer),
      gramine,
    };
  }

  /** One turn at the device, within the timeout: the attestation type, then a quote if any. */
  private ask(nonce: Buffer): Promise<DeviceAnswer> {
    const started = Date.now();
    return this.inTurn(async () => {
      if (this.stuck) {
        throw new AttestationError(
          `an earlier ${this.stuck} has not returned from Gramine; not asking again until it does`,
        );
      }
      return this.withinDeadline(started, (signal) => this.askDevice(nonce, signal));
    });
  }

  private async askDevice(nonce: Buffer, signal: AbortSignal): Promise<DeviceAnswer> {
    const attestationType = await this.attestationType(signal);
    if (attestationType === null || !QUOTING_TYPES.has(attestationType)) {
      return { attestationType };
    }
    return { attestationType, quote: await this.quote(nonce, attestationType, signal) };
  }

  /**
   * Runs `task` with what is left of the timeout. On expiry the task is aborted; one that does not
   * end promptly (a system call that cannot be interrupted) blocks further requests until it
   * returns, so that at most one call is ever left waiting on the device.
   */
  private async withinDeadline<T>(
    started: number,
    task: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const expired = new AttestationError(
      `Gramine did not answer within ${this.timeoutMs} ms (ATTESTATION_TIMEOUT_MS)`,
    );
    const remaining = this.timeoutMs - (Date.now() - started);
    if (remaining <= 0) throw expired;
    const controller = new AbortController();
    const work = task(controller.signal);
    const timer = new AbortController();
    const deadline = sleep(remaining, 'expired' as const, { signal: timer.signal, ref: false });
    try {
      const first = await Promise.race([work.then((value) => ({ value })), deadline]);
      if (first !== 'expired') return first.value;
    } finally {
      timer.abort();
      deadline.catch(() => undefined);
    }
    controller.abort();
    const settled = () => true;
    const ended = await Promise.race([
      work.then(settled, settled),
      sleep(ABORT_GRACE_MS, false, { ref: false }),
    ]);
    if (!ended) {
      this.stuck = 'quote request';
      const clear = () => (this.stuck = null);
      work.then(clear, clear);
    }
    throw expired;
  }

  private describe(answer: DeviceAnswer): { tee: boolean; statement: string } {
    const type = answer.attestationType;
    if (type === null) {
      return {
        tee: false,
        statement: `${this.path(GRAMINE_FILES.attestationType)} does not exist: this process does not run under Gramine, so nothing is attested.`,
      };
    }
    if (!answer.quote) {
      return {
        tee: false,
        statement: `Gramine runs without SGX attestation (attestation_type is "${type}"), so nothing is attested.`,
      };
    }
    if (answer.quote.debug) {
      return {
        tee: false,
        statement:
          `Gramine-SGX produced a quote (${type}), but from a DEBUG enclave, whose memory the host ` +
          'can read: nothing here is confidential. The quote is returned for diagnosis only.',
      };
    }
    return {
      tee: true,
      statement:
        `Gramine-SGX produced a quote (${type}) for this request. Its report data is sha256 of ` +
        "this service's TLS public key (SPKI) followed by sha256 of your nonce; this process " +
        'checked that the quote carries exactly those bytes, but cannot verify the quote itself. ' +
        'To check: verify the quote with an SGX quote verifier, compare MRENCLAVE and MRSIGNER ' +
        'with the expected build, and compare the first half of the report data with the SPKI ' +
        'of the certificate of this connection.',
    };
  }

  private quoteItems(quote: GramineEvidence): EvidenceItem[] {
    return [
      {
        field: 'gramine.reportData',
        basis:
          `This process wrote these 64 bytes (sha256 of its TLS SPKI, then sha256 of your nonce) ` +
          `to ${GRAMINE_FILES.userReportData} and checked that the quote it then read from ` +
          `${GRAMINE_FILES.quote} carries exactly them.`,
        clientCheck:
          'Recompute both halves from the certificate of your connection and the nonce you sent.',
      },
      {
        field: 'gramine.quote',
        basis:
          `Obtained from Gramine (attestation_type ${quote.attestationType}) for this request. ` +
          'This process does not verify its signature: Gramine offers no way to from inside the ' +
          'enclave. mrenclave, mrsigner and debug are read out of it, and are as genuine as it is.',
        clientCheck:
          'Verify the quote with an SGX quote verifier (Intel DCAP quote verification; IAS for ' +
          'EPID), check its TCB status and that DEBUG is clear, and compare MRENCLAVE and ' +
          'MRSIGNER with the build you expect.',
      },
    ];
  }

  private claims(answer: DeviceAnswer): EvidenceItem[] {
    const claims: EvidenceItem[] = [];
    if (answer.attestationType !== null && !answer.quote) {
      claims.push({
        field: 'gramine.attestationType',
        basis: `Read from ${this.path(GRAMINE_FILES.attestationType)}.`,
        clientCheck: 'Nothing to check: without a quote nothing is attested.',
      });
    }
    if (answer.quote && this.dir !== DEFAULT_ATTESTATION_DIR) {
      claims.push({
        field: 'gramine',
        basis:
          `The quote was read from ${this.dir} (ATTESTATION_DIR), not from Gramine's own ` +
          `${DEFAULT_ATTESTATION_DIR}.`,
        clientCheck: 'Only a quote that verifies counts; an emulated device makes none that does.',
      });
    }
    return claims;
  }

  private async quote(
    nonce: Buffer,
    attestationType: string,
    signal: AbortSignal,
  ): Promise<GramineEvidence> {
    const reportData = gramineReportData(this.fingerprints.spkiSha256, nonce);
    try {
      await this.files.writeFile(this.path(GRAMINE_FILES.userReportData), reportData, signal);
    } catch (error) {
      throw new AttestationError(`cannot write ${GRAMINE_FILES.userReportData}: ${reason(error)}`);
    }
    let quote: Buffer;
    try {
      quote = await this.files.readFile(this.path(GRAMINE_FILES.quote), signal);
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
      debug: fields.debug,
      reportData: fields.reportData.toString('hex'),
      quote: quote.toString('base64'),
    };
  }

  private async attestationType(signal: AbortSignal): Promise<string | null> {
    try {
      return (await this.files.readFile(this.path(GRAMINE_FILES.attestationType), signal))
        .toString('utf8')
        .trim();
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
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
  return errorCode(error) ?? (error as Error).message;
}
