/**
 * The workload's key pair and its CSR. A fresh P-256 key for every SVID (a renewal
 * never reuses a key, so a key that leaked stops working when its certificate ends).
 * The CSR carries only the public key: the CA takes the SPIFFE ID from the attestation
 * or the mTLS client certificate, never from the request. Built with Node's crypto and
 * `identity/workload-csr.ts`, not @peculiar/x509: that library would be most of the
 * sidecar's memory left to save.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { buildWorkloadCsr } from '../../identity/workload-csr.js';

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

const generateEcKeyPair = promisify(generateKeyPair);

/**
 * Generates a key pair and a CSR signed by it.
 * @example const { csrDer, keyPem } = await generateWorkloadKey();
 */
export async function generateWorkloadKey(): Promise<WorkloadKey> {
  // The key leaves this process only to the 0600 key file and the app over the Workload API.
  const { privateKey, publicKey } = await generateEcKeyPair('ec', { namedCurve: 'P-256' });
  const pkcs8Der = privateKey.export({ type: 'pkcs8', format: 'der' });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    pkcs8Der,
    csrDer: buildWorkloadCsr(privateKey),
    spkiDer: publicKey.export({ type: 'spki', format: 'der' }),
  };
}
