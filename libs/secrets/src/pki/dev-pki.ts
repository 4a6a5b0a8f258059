import 'reflect-metadata';
import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import * as x509 from '@peculiar/x509';

/** A certificate and its private key, both PEM. */
export interface PemPair {
  cert: string;
  key: string;
}

/**
 * The PKI the CAS policies create, made locally: an API CA and server certificate, a Redis CA
 * with server and client certificates. Keys are ECDSA P-256 (fast to make, fast handshakes).
 */
export interface DevPki {
  apiCa: PemPair;
  api: PemPair;
  redisCa: PemPair;
  redis: PemPair;
  redisClient: PemPair;
}

export interface CertificateSpec {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  usages: Array<'server' | 'client'>;
  validDays?: number;
  /** For tests: a certificate that is already expired or not yet valid. */
  notBefore?: Date;
}

const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
// @peculiar/x509 signs with globalThis.crypto, which is Node's WebCrypto.
const subtle = webcrypto.subtle;

interface Authority {
  pair: PemPair;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify']);
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return withNewline(x509.PemConverter.encode(der, 'PRIVATE KEY'));
}

/** PEM files end with a newline, so they can be concatenated into bundles. */
function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

function validity(days: number, notBefore?: Date): { notBefore: Date; notAfter: Date } {
  // Backdate a little so a client whose clock is slightly behind still accepts the certificate.
  const start = notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  return { notBefore: start, notAfter: new Date(start.getTime() + days * DAY_MS) };
}

/** Makes a self-signed certificate authority. */
export async function createAuthority(commonName: string, validDays = 3650): Promise<Authority> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${commonName}`,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    ...validity(validDays),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false),
    ],
  });
  return {
    cert,
    keys,
    pair: { cert: withNewline(cert.toString('pem')), key: await exportKey(keys.privateKey) },
  };
}

/** Issues a leaf certificate from an authority. */
export async function issueCertificate(ca: Authority, spec: CertificateSpec): Promise<PemPair> {
  const keys = await generateKeys();
  const names = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const usages = spec.usages.map((u) =>
    u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
  );
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey, false),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${spec.commonName}`,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    ...validity(spec.validDays ?? 825, spec.notBefore),
    extensions,
  });
  return { cert: withNewline(cert.toString('pem')), key: await exportKey(keys.privateKey) };
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // positive INTEGER
  return Buffer.from(bytes).toString('hex');
}

export interface DevPkiOptions {
  /** Extra DNS names for the API certificate (besides api and localhost). */
  apiDnsNames?: string[];
  /** Extra DNS names for the Redis server certificate (besides redis and localhost). */
  redisDnsNames?: string[];
}

/** Creates the whole development PKI, shaped like the CAS policies in docker/scone/. */
export async function createDevPki(options: DevPkiOptions = {}): Promise<DevPki> {
  const apiCa = await createAuthority('Patient API dev CA');
  const redisCa = await createAuthority('Patient API dev Redis CA');
  const loopback = ['127.0.0.1', '::1'];
  const [api, redis, redisClient] = await Promise.all([
    issueCertificate(apiCa, {
      commonName: 'api',
      dnsNames: ['api', 'localhost', ...(options.apiDnsNames ?? [])],
      ipAddresses: loopback,
      usages: ['server'],
    }),
    // Redis uses its server certificate as a client one too, for replication and the cluster bus.
    issueCertificate(redisCa, {
      commonName: 'redis',
      dnsNames: ['redis', 'localhost', ...(options.redisDnsNames ?? [])],
      ipAddresses: loopback,
      usages: ['server', 'client'],
    }),
    issueCertificate(redisCa, { commonName: 'api', usages: ['client'] }),
  ]);
  return { apiCa: apiCa.pair, api, redisCa: redisCa.pair, redis, redisClient };
}
