import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';

/** docker/scone/: the CAS session templates and the script that instantiates them. */
export const SCONE_DIR = resolve(__dirname, '../../../docker/scone');

/** Values for the template variables, as an operator would give them. */
export const SESSION_VARIABLES = {
  API_SESSION: 'patient-api-test-1',
  REDIS_SESSION: 'patient-redis-test-1',
  API_MRENCLAVE: 'a1'.repeat(32),
  REDIS_MRENCLAVE: 'b2'.repeat(32),
  SCONE_CAS_ADDR: 'cas.example.org',
  AUTH_JWKS_URL: 'https://idp.example.org/.well-known/jwks.json',
  AUTH_ISSUER: 'https://idp.example.org/',
  AUTH_AUDIENCE: 'patient-api',
} as const;

export interface CasSecret {
  name: string;
  kind?: string;
  import?: { session: string; secret: string };
  export?: Array<{ session?: string; namespace?: string }> | { session?: string };
  export_public?: boolean;
  [field: string]: unknown;
}

export interface CasService {
  name: string;
  image_name?: string;
  command: string | string[];
  environment?: Record<string, string>;
  pwd?: string;
  attestation?: { mrenclave?: string[] } | Array<{ mrenclave?: string[] }>;
  mrenclaves?: string[];
}

export interface CasSession {
  name: string;
  version: string;
  services: CasService[];
  images?: Array<{ name: string; injection_files?: Array<{ path: string; content: string }> }>;
  secrets: CasSecret[];
  [field: string]: unknown;
}

export interface InstantiatedSession {
  /** The instantiated YAML text. */
  text: string;
  session: CasSession;
}

/** Runs docker/scone/instantiate-sessions.sh into `outDir` and parses what it wrote. */
export async function instantiateSessions(
  outDir: string,
  variables: Record<string, string> = SESSION_VARIABLES,
): Promise<{ api: InstantiatedSession; redis: InstantiatedSession; myenv: string }> {
  await promisify(execFile)('bash', [join(SCONE_DIR, 'instantiate-sessions.sh'), '--out', outDir], {
    env: { PATH: process.env.PATH, ...variables },
    timeout: 20_000,
  });
  const read = async (name: string): Promise<InstantiatedSession> => {
    const text = await readFile(join(outDir, name), 'utf8');
    return { text, session: load(text) as CasSession };
  };
  return {
    api: await read('api-session.yml'),
    redis: await read('redis-session.yml'),
    myenv: await readFile(join(outDir, 'myenv'), 'utf8'),
  };
}

/** Every string value in a parsed session (comments are not part of the policy). */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsOf);
  return [];
}

/** `$$SCONE::name:suffix$$` placeholders in a text, split into secret name and format suffix. */
export function placeholders(text: string): Array<{ raw: string; name: string; suffix: string }> {
  return [...text.matchAll(/\$\$SCONE::(.*?)\$\$/g)].map(([raw, body]) => {
    const colon = body.indexOf(':');
    if (colon >= 0) return { raw, name: body.slice(0, colon), suffix: body.slice(colon) };
    // Before CAS 5.2 suffixes were written with a dot (deprecated, still accepted).
    const dotted = /^(.*)(\.(?:crt|key|chain|hex))$/.exec(body);
    return dotted ? { raw, name: dotted[1], suffix: dotted[2] } : { raw, name: body, suffix: '' };
  });
}

/** Format suffixes each secret kind supports (SCONE session language 0.3.10, "Secret Kinds"). */
export const VALID_SUFFIXES: Record<string, string[]> = {
  ascii: [''],
  binary: ['', ':bin', ':hex', ':base64', ':base64url', ':base32', ':base32nopad', '.hex'],
  'private-key': ['', ':pem', ':pkcs8:pem', ':der', ':pkcs8:der'],
  x509: [
    '',
    ':crt',
    ':crt:pem',
    ':crt:der',
    ':privatekey',
    ':privatekey:pem',
    ':privatekey:pkcs8:pem',
    ':privatekey:der',
    ':privatekey:pkcs8:der',
    ':chain',
    ':pkcs12-with-private-key',
    '.crt',
    '.key',
    '.chain',
  ],
};
VALID_SUFFIXES['x509-ca'] = VALID_SUFFIXES.x509;

/** The sessions a secret is exported to (not counting export_public). */
export function exportTargets(secret: CasSecret): string[] {
  if (!secret.export) return [];
  const list = Array.isArray(secret.export) ? secret.export : [secret.export];
  return list.map((entry) => entry.session).filter((s): s is string => typeof s === 'string');
}

/** A service's command as words. */
export function commandWords(service: CasService): string[] {
  return Array.isArray(service.command) ? service.command : service.command.trim().split(/\s+/);
}
