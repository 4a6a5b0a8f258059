import { X509Certificate } from 'node:crypto';
import { parseCertificate, sha256Hex, spkiDer, splitCertificates } from '@app/secrets';
import type { ApiTlsMaterial } from '@app/secrets';
import type { CertificateFingerprints } from './attestation-provider';

/**
 * Fingerprints of the API's TLS certificate: what a client compares with the certificate it sees
 * in the handshake. The issuer is the CA the source names, else the next certificate of the
 * chain, and only when it really issued the certificate.
 */
export function certificateFingerprints(tls: ApiTlsMaterial): CertificateFingerprints {
  const leaf = parseCertificate(tls.cert, 'API certificate');
  const fingerprints: CertificateFingerprints = {
    sha256: sha256Hex(leaf.raw),
    spkiSha256: sha256Hex(spkiDer(leaf)),
  };
  const candidates = [...splitCertificates(tls.ca ?? ''), ...splitCertificates(tls.cert).slice(1)];
  for (const pem of candidates) {
    const issuer = tryParse(pem);
    if (issuer && leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey)) {
      fingerprints.issuerSha256 = sha256Hex(issuer.raw);
      break;
    }
  }
  return fingerprints;
}

function tryParse(pem: string): X509Certificate | null {
  try {
    return new X509Certificate(pem);
  } catch {
    return null;
  }
}
