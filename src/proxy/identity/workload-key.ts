/**
 * The workload's key pair and its CSR. A fresh P-256 key for every SVID (a renewal
 * never reuses a key, so a key that leaked stops working when its certificate ends).
 * The CSR carries only the public key: the CA takes the SPIFFE ID from the attestation
 * or the mTLS client certificate, never from the request.
 */
import { webcrypto } from 'node:crypto';
import { x509 } from '../../identity/x509-provider.js';

export interface WorkloadKey {
  /** PKCS#8 PEM: what Node's TLS takes. Never logged. */
  keyPem: string;
  /** PKCS#8 DER: what the Workload API hands an app (`x509_svid_key`). */
  pkcs8Der: Buffer;
  /** PKCS#10, DER. */
  csrDer: Buffer;
  /** SubjectPublicKeyInfo DER, to check that a returned certificate carries this key. */
  spkiDer: Buffer;
}

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/**
 * Generates a key pair and a CSR signed by it.
 * @example const { csrDer, keyPem } = await generateWorkloadKey();
 */
export async function generateWorkloadKey(): Promise<WorkloadKey> {
  // Extractable because Node's TLS needs the bytes; it leaves this process only to the 0600 key file.
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys: keys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8Der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const spkiDer = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  return { keyPem: pkcs8Pem(pkcs8Der), pkcs8Der, csrDer: Buffer.from(csr.rawData), spkiDer };
}

function pkcs8Pem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}
