/**
 * What `meshguard proxy-config secret` shows, built from a `ProxyIdentity`: istioctl's
 * columns, one `default` row for the workload's chain and one `ROOTCA` row per trust
 * anchor. Never the key.
 */
import { X509Certificate } from 'node:crypto';
import { certificatesFromPem, toPem } from '../../identity/pem.js';
import type { ProxyIdentity } from '../model.js';

export interface SecretRow {
  /** `default` (the workload's certificate chain) or `ROOTCA` (a trust anchor), as Istio names them. */
  resourceName: 'default' | 'ROOTCA';
  type: 'Cert Chain' | 'CA';
  status: 'ACTIVE';
  /** Whether the certificate is within its validity window now. */
  validCert: boolean;
  /** Lower-case hex, as istioctl prints it. */
  serialNumber: string;
  /** RFC 3339. */
  notAfter: string;
  notBefore: string;
  /** The certificate (the whole chain for `default`), PEM. */
  pem: string;
}

// X509Certificate dates are `Nov 23 17:11:00 2025 GMT`; istioctl prints RFC 3339 without fractions.
const rfc3339 = (d: string) => new Date(d).toISOString().replace('.000Z', 'Z');

function row(resourceName: SecretRow['resourceName'], certDer: Buffer, pem: string, now: Date): SecretRow {
  const c = new X509Certificate(certDer);
  const t = now.getTime();
  return {
    resourceName,
    type: resourceName === 'default' ? 'Cert Chain' : 'CA',
    status: 'ACTIVE',
    validCert: t >= Date.parse(c.validFrom) && t < Date.parse(c.validTo),
    serialNumber: c.serialNumber.toLowerCase(),
    notAfter: rfc3339(c.validTo),
    notBefore: rfc3339(c.validFrom),
    pem,
  };
}

/**
 * The rows of the secret table.
 * @example secretsView(identity.current(), new Date()).map((r) => r.serialNumber)
 */
export function secretsView(identity: ProxyIdentity, now: Date): SecretRow[] {
  const [leaf] = certificatesFromPem(identity.certChainPem);
  const rows: SecretRow[] = leaf ? [row('default', leaf, identity.certChainPem, now)] : [];
  for (const root of certificatesFromPem(identity.bundlePem)) rows.push(row('ROOTCA', root, toPem([root]), now));
  return rows;
}
