import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CAS_DEFAULT_PORT, CasClient, CasError, parseCasAddress } from '@app/attestation';
import { parseCertificate, SecretError } from '@app/secrets';

/**
 * `npm run cas:ca`: fetches the CA a CAS session exports publicly (`api_ca_cert`) and saves it,
 * so clients can trust the API with `curl --cacert cacert.pem`. Replaces the original's
 * `curl -k ... | jq -r .values.api_ca_cert.value > cacert.pem`, verifying CAS on the way.
 */
export const USAGE = `usage: npm run cas:ca -- --cas HOST[:PORT] --session NAME [options]

Saves the CA certificate a SCONE CAS session exports publicly, to trust the API with.

  --cas HOST[:PORT]   the CAS (port ${CAS_DEFAULT_PORT} by default)
  --session NAME      the API's CAS session (API_SESSION of docker/scone/instantiate-sessions.sh)
  --cas-ca FILE       CA to verify CAS's certificate with: the output of
                      "scone cas show-certificate" (default: the system's CAs)
  --servername NAME   the name CAS's certificate is issued for (default: the host of --cas)
  --insecure          do not verify CAS's certificate (like curl -k); not for real use
  --value NAME        the exported value to save (default: api_ca_cert)
  --out FILE          where to save it (default: cacert.pem; "-" writes to stdout)
  --timeout-ms N      give up when CAS stays silent this long (default: 10000)
  -h, --help          this text
`;

export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processOutput: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

class UsageError extends Error {}

/** Runs the command; resolves to the exit code (0 saved, 1 failed, 2 usage). */
export async function run(argv: string[], out: CliOutput = processOutput): Promise<number> {
  try {
    const args = parseCommandLine(argv);
    if (args.help) {
      out.stdout(USAGE);
      return 0;
    }
    if (args.insecure) {
      out.stderr(
        'WARNING: --insecure: CAS is NOT verified. Anyone between you and CAS can hand you a CA\n' +
          'WARNING: of their choosing, and you would then trust their server with patient data.\n' +
          'WARNING: Use --cas-ca with the output of "scone cas show-certificate" instead.\n',
      );
    }
    const client = new CasClient({
      address: args.cas,
      ca: args.casCa === undefined ? undefined : await readCasCa(args.casCa),
      insecure: args.insecure,
      servername: args.servername,
      timeoutMs: args.timeoutMs,
    });
    const pem = await client.publicValue(args.session, args.value);
    const label = `"${args.value}" of session "${args.session}"`;
    const cert = parseCertificate(pem, label);
    const text = pem.endsWith('\n') ? pem : `${pem}\n`;
    if (args.out === '-') out.stdout(text);
    else await writeFile(args.out, text, { mode: 0o644 });
    out.stderr(
      `${args.out === '-' ? 'wrote' : `saved ${args.out}:`} ${label} from CAS ${client.where}\n` +
        `  subject: ${cert.subject.replace(/\n/g, ', ')}\n` +
        `  SHA-256: ${cert.fingerprint256}\n` +
        (args.out === '-'
          ? ''
          : `trust the API with: curl --cacert ${args.out} --resolve api:4996:<address> https://api:4996/...\n`),
    );
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      out.stderr(`cas:ca: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof CasError || error instanceof SecretError) {
      out.stderr(`cas:ca: ${error.message}\n`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    out.stderr(`cas:ca: ${code ? `${code}: ` : ''}${(error as Error).message}\n`);
    return 1;
  }
}

interface Arguments {
  help: boolean;
  cas: string;
  session: string;
  casCa?: string;
  servername?: string;
  insecure: boolean;
  value: string;
  out: string;
  timeoutMs?: number;
}

function parseCommandLine(argv: string[]): Arguments {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        cas: { type: 'string' },
        session: { type: 'string' },
        'cas-ca': { type: 'string' },
        servername: { type: 'string' },
        insecure: { type: 'boolean', default: false },
        value: { type: 'string', default: 'api_ca_cert' },
        out: { type: 'string', default: 'cacert.pem' },
        'timeout-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = values.help ?? false;
  if (help) return { help, cas: '', session: '', insecure: false, value: '', out: '' };
  if (!values.cas) throw new UsageError('--cas HOST[:PORT] is required');
  if (!values.session) throw new UsageError('--session NAME is required');
  if (values.insecure && values['cas-ca']) {
    throw new UsageError('--insecure and --cas-ca exclude each other');
  }
  try {
    parseCasAddress(values.cas);
  } catch (error) {
    throw new UsageError(`--cas: ${(error as Error).message}`);
  }
  let timeoutMs: number | undefined;
  if (values['timeout-ms'] !== undefined) {
    timeoutMs = Number(values['timeout-ms']);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new UsageError('--timeout-ms must be a positive whole number');
    }
  }
  return {
    help,
    cas: values.cas,
    session: values.session,
    casCa: values['cas-ca'],
    servername: values.servername,
    insecure: values.insecure ?? false,
    value: values.value ?? 'api_ca_cert',
    out: values.out ?? 'cacert.pem',
    timeoutMs,
  };
}

/** Reads and checks the --cas-ca file before anything is asked of CAS. */
async function readCasCa(path: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--cas-ca ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    parseCertificate(pem, `--cas-ca ${path}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return pem;
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
