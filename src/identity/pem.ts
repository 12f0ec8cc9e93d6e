// PEM ⇄ DER for certificates, with nothing else: the sidecar needs these on every SVID
// and bundle, and must not load the CA (or @peculiar/x509, 7–14 MB of RSS) to get them.

/** One DER-encoded X.509 certificate. */
export type DerCertificate = Buffer & { readonly __brand: 'DerCertificate' };

/** Marks bytes as a certificate after they were parsed once (callers' duty). */
export function asDerCertificate(der: Uint8Array): DerCertificate {
  return Buffer.from(der) as DerCertificate;
}

/**
 * PEM text of certificates, one block each, in order.
 * @example toPem([leaf, intermediate])
 */
export function toPem(certs: readonly Uint8Array[]): string {
  return certs
    .map((der) => {
      const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
      return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
    })
    .join('');
}

/**
 * The DER of every `CERTIFICATE` block in a PEM text, in order (other blocks ignored).
 * @example const [leaf, ...intermediates] = certificatesFromPem(chainPem);
 */
export function certificatesFromPem(pem: string): DerCertificate[] {
  const out: DerCertificate[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g)) {
    out.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') as DerCertificate);
  }
  return out;
}
