import { createHash, createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { SecretError } from './secret-source';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, in order. */
export function splitCertificates(pem: string): string[] {
  return pem.match(PEM_CERT) ?? [];
}

/** Parses the first certificate of a PEM bundle; `label` names the secret in errors. */
export function parseCertificate(pem: string, label: string): X509Certificate {
  const [first] = splitCertificates(pem);
  if (!first) throw new SecretError(`${label}: no PEM certificate found`);
  try {
    return new X509Certificate(first);
  } catch {
    throw new SecretError(`${label}: not a valid X.509 certificate`);
  }
}

export function parsePrivateKey(pem: string, label: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new SecretError(`${label}: not a valid PEM private key`);
  }
}

/** Checks a certificate/key pair and that the key belongs to the certificate. */
export function checkKeyPair(
  certPem: string,
  keyPem: string,
  certLabel: string,
  keyLabel: string,
): X509Certificate {
  const cert = parseCertificate(certPem, certLabel);
  const key = parsePrivateKey(keyPem, keyLabel);
  if (!cert.checkPrivateKey(key)) {
    throw new SecretError(`${keyLabel} does not match the certificate in ${certLabel}`);
  }
  return cert;
}

/** SHA-256 of DER bytes, lowercase hex. */
export function sha256Hex(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** The DER SubjectPublicKeyInfo of a certificate. */
export function spkiDer(cert: X509Certificate): Buffer {
  return cert.publicKey.export({ type: 'spki', format: 'der' });
}
