// File I/O for plugged-in CAs, kept apart from the pure CA code.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdentityError, IdentityErrorCode } from '../errors.js';
import type { TrustDomain } from '../spiffe-id.js';
import { describeAuthority, type CertificateAuthority } from './authority.js';
import { certificatesFromPem, parseX509, type DerCertificate } from './certificate.js';
import { readPrivateKeyFile } from './key-file.js';
import { memoryKeyStore } from './key-store.js';

/** Istio's plugged-in CA layout (`cacerts` secret): https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/ */
export const ISTIO_CACERTS_FILES = { cert: 'ca-cert.pem', key: 'ca-key.pem', root: 'root-cert.pem', chain: 'cert-chain.pem' } as const;
/** A cert-manager CA `Issuer` secret (`kubernetes.io/tls`): `tls.crt`, `tls.key`, optional `ca.crt`. */
export const CERT_MANAGER_FILES = { cert: 'tls.crt', key: 'tls.key', root: 'ca.crt' } as const;

function invalid(reason: string, message: string): IdentityError {
  return new IdentityError(IdentityErrorCode.CA_FILES_INVALID, message, { reason });
}

function readCerts(path: string): DerCertificate[] {
  const certs = certificatesFromPem(readFileSync(path, 'utf8'));
  if (certs.length === 0) throw invalid('no-certificate', `${path} holds no PEM certificate`);
  return certs;
}

function isSelfSigned(der: DerCertificate): boolean {
  const c = parseX509(der);
  return c.subject === c.issuer;
}

/**
 * Loads a CA directory: Istio's `cacerts` layout when `ca-cert.pem` is there, else a
 * cert-manager secret's `tls.crt`/`tls.key` (+ `ca.crt`). The key file must be 0600.
 * @example const ca = loadPluggedCa('/etc/cacerts', parseTrustDomain('cluster.local'));
 */
export function loadPluggedCa(dir: string, trustDomain: TrustDomain): CertificateAuthority {
  if (existsSync(join(dir, ISTIO_CACERTS_FILES.cert))) return loadIstioCacerts(dir, trustDomain);
  if (existsSync(join(dir, CERT_MANAGER_FILES.cert))) return loadCertManagerSecret(dir, trustDomain);
  throw invalid('unknown-layout', `${dir} has neither ${ISTIO_CACERTS_FILES.cert} (Istio cacerts) nor ${CERT_MANAGER_FILES.cert} (cert-manager)`);
}

/** Istio cacerts: signs with `ca-cert.pem`; chain from `cert-chain.pem`; trust anchors from `root-cert.pem`. */
export function loadIstioCacerts(dir: string, trustDomain: TrustDomain): CertificateAuthority {
  const f = ISTIO_CACERTS_FILES;
  for (const name of Object.values(f)) {
    if (!existsSync(join(dir, name))) throw invalid('missing-file', `${join(dir, name)} is missing (Istio cacerts needs ${Object.values(f).join(', ')})`);
  }
  const [certificate] = readCerts(join(dir, f.cert));
  const roots = readCerts(join(dir, f.root));
  const chain = readCerts(join(dir, f.chain));
  return assemble(trustDomain, join(dir, f.key), certificate!, chain, roots);
}

/** cert-manager CA secret: `tls.crt` is the CA (maybe with its chain), `ca.crt` the root when present. */
export function loadCertManagerSecret(dir: string, trustDomain: TrustDomain): CertificateAuthority {
  const f = CERT_MANAGER_FILES;
  const [certificate, ...rest] = readCerts(join(dir, f.cert));
  const rootPath = join(dir, f.root);
  const roots = existsSync(rootPath) ? readCerts(rootPath) : [...rest, certificate!].filter(isSelfSigned);
  if (roots.length === 0) throw invalid('no-roots', `${dir}: no ${f.root} and ${f.cert} does not end in a self-signed root`);
  return assemble(trustDomain, join(dir, f.key), certificate!, rest, roots);
}

function assemble(trustDomain: TrustDomain, keyPath: string, certificate: DerCertificate, chain: DerCertificate[], roots: DerCertificate[]): CertificateAuthority {
  // The chain sent with each leaf: the signing certificate and what sits above it, never a root
  // (peers must reach a root from their own bundle, not from what we send).
  const isRoot = (c: DerCertificate) => roots.some((r) => r.equals(c));
  const intermediates = chain.filter((c) => !c.equals(certificate) && !isRoot(c) && !isSelfSigned(c));
  const key = readPrivateKeyFile(keyPath);
  let keyStore;
  try {
    keyStore = memoryKeyStore(key);
  } catch (cause) {
    throw new IdentityError(IdentityErrorCode.CA_FILES_INVALID, `${keyPath}: ${(cause as Error).message}`, { reason: 'unsupported-key', cause });
  }
  return describeAuthority({ trustDomain, keyStore, certificate, intermediates, roots });
}
