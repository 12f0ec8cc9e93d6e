/** What `ca status` and the slots show of a CA certificate: subject, window, days left. */
import { X509Certificate } from 'node:crypto';

/** `ca status` warns this long before a root or intermediate expires. */
export const EXPIRY_WARNING_MS = 30 * 24 * 3600 * 1000;

export interface CertificateInfo {
  subject: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
  /** Set when the certificate expires within 30 days (or has). */
  warning?: string;
}

/** The validity window in epoch ms. */
export function certificateWindow(der: Uint8Array): { notBefore: number; notAfter: number } {
  const c = new X509Certificate(der);
  return { notBefore: Date.parse(c.validFrom), notAfter: Date.parse(c.validTo) };
}

/**
 * @example describeCertificate(rootDer, Date.now()).warning // 'expires in 12 days (2026-…)'
 */
export function describeCertificate(der: Uint8Array, now: number): CertificateInfo {
  const c = new X509Certificate(der);
  const { notBefore, notAfter } = certificateWindow(der);
  const daysLeft = Math.floor((notAfter - now) / 86400e3);
  const info: CertificateInfo = {
    subject: c.subject.replace(/\n/g, ', '), notBefore: new Date(notBefore).toISOString(), notAfter: new Date(notAfter).toISOString(), daysLeft,
  };
  if (notAfter <= now) info.warning = `expired on ${info.notAfter}`;
  else if (notAfter - now <= EXPIRY_WARNING_MS) info.warning = `expires in ${daysLeft} days (${info.notAfter}); rotate it now`;
  return info;
}
