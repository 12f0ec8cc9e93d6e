/**
 * Path validation of an X.509-SVID against the trust bundle, in our own hands rather than
 * OpenSSL's. Why: an OpenSSL context that holds the roots also sends the root after our
 * leaf on every handshake it makes (auto-chain; Node offers no SSL_MODE_NO_AUTO_CHAIN), and
 * those ~410 bytes push each handshake flight past the 1 KB that Node's TLS buffers start
 * with, so every connection at the other end keeps a 16 KB buffer for its whole life. A
 * client context without the roots sends just its leaf, as Envoy does, and verifies here.
 *
 * Checked, failing closed: every certificate strict DER and valid now; each link issued
 * (names, key identifiers, issuer allowed to sign certificates) and signed by the next, with
 * an accepted signature algorithm and key; intermediates are CAs within their path length;
 * the leaf is not a CA and may act for `purpose`; no certificate carries a critical
 * extension we do not interpret (name constraints included: we do not enforce them, so a
 * chain that has them is refused rather than half-checked). The roots are trusted as given.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { readLeafFacts, type LeafFacts } from './ca/validate.js';

export type ChainRefusal =
  | 'malformed'
  | 'not-valid-now'
  | 'unknown-issuer'
  | 'bad-signature'
  | 'weak-algorithm'
  | 'issuer-not-ca'
  | 'path-length'
  | 'critical-extension'
  | 'leaf-is-ca'
  | 'wrong-purpose';

export type ChainVerdict = { ok: true } | { ok: false; reason: ChainRefusal };

/** What the certificate is presented for: a server's leaf needs serverAuth, a client's clientAuth (when it has an EKU). */
export type ChainPurpose = 'server' | 'client';

/** A root of the bundle, parsed once; `pathLen` from its basicConstraints (undefined: no limit, or a v1 root). */
export interface TrustAnchor {
  readonly cert: X509Certificate;
  readonly pathLen: number | undefined;
}

/** Trust anchors parsed once per bundle. */
export interface TrustAnchors {
  readonly roots: readonly TrustAnchor[];
}

/** Intermediates between a leaf and a root; SPIFFE deployments use zero to two. */
export const MAX_INTERMEDIATES = 4;

const EKU = { server: '1.3.6.1.5.5.7.3.1', client: '1.3.6.1.5.5.7.3.2' } as const;
const KU_DIGITAL_SIGNATURE = 0x80;
const KU_KEY_CERT_SIGN = 0x04;
/** ECDSA with SHA-256/384/512, RSA PKCS#1 v1.5 with SHA-256/384/512, RSASSA-PSS, Ed25519: no SHA-1, no MD5. */
const SIGNATURE_ALGORITHMS = new Set([
  '1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3', '1.2.840.10045.4.3.4',
  '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13', '1.2.840.113549.1.1.10',
  '1.3.101.112',
]);
const MIN_RSA_BITS = 2048;
const CURVES = new Set(['prime256v1', 'secp384r1']);

/**
 * @example
 * const anchors = trustAnchorsOf(certificatesFromPem(bundlePem));
 * verifyChain(new X509Certificate(leafDer), [], anchors, { purpose: 'server', now: new Date() }) // { ok: true }
 */
export function trustAnchorsOf(rootsDer: readonly Uint8Array[]): TrustAnchors {
  return {
    roots: rootsDer.map((d) => {
      const cert = new X509Certificate(d);
      return { cert, pathLen: factsOf(cert)?.pathLen };
    }),
  };
}

/**
 * Verifies `leaf` up to one of `anchors`, using `presented` (what the peer sent after its leaf,
 * in any order) for intermediates.
 */
export function verifyChain(leaf: X509Certificate, presented: readonly X509Certificate[], anchors: TrustAnchors, opts: { purpose: ChainPurpose; now: Date }): ChainVerdict {
  const now = opts.now.getTime();
  const leafFacts = factsOf(leaf);
  if (!leafFacts) return refuse('malformed');
  const leafProblem = certificateProblem(leaf, leafFacts, now) ?? leafRoleProblem(leafFacts, opts.purpose);
  if (leafProblem) return refuse(leafProblem);
  let child = leaf;
  const unused = [...presented];
  for (let depth = 0; depth <= MAX_INTERMEDIATES; depth++) {
    // Every root that could have issued it is tried (during a rotation the old and new roots may share
    // a name); a root wins over a presented copy of itself, or over an impostor with the same name.
    let problem: ChainRefusal | undefined;
    for (const root of anchors.roots) {
      if (!child.checkIssued(root.cert)) continue;
      problem = rootProblem(root, depth, now) ?? (signedBy(child, root.cert) ? undefined : 'bad-signature');
      if (!problem) return { ok: true };
    }
    if (depth === MAX_INTERMEDIATES) break;
    // Otherwise the first presented certificate that issued it and passes every check.
    let next: X509Certificate | undefined;
    for (const cert of unused) {
      if (!child.checkIssued(cert)) continue;
      const facts = factsOf(cert);
      if (!facts) {
        problem = 'malformed';
        continue;
      }
      problem = certificateProblem(cert, facts, now) ?? issuerRoleProblem(facts, depth) ?? (signedBy(child, cert) ? undefined : 'bad-signature');
      if (!problem) {
        next = cert;
        break;
      }
    }
    if (!next) return refuse(problem ?? 'unknown-issuer');
    unused.splice(unused.indexOf(next), 1);
    child = next;
  }
  return refuse('unknown-issuer');
}

function refuse(reason: ChainRefusal): ChainVerdict {
  return { ok: false, reason };
}

function factsOf(cert: X509Certificate): LeafFacts | undefined {
  try {
    return readLeafFacts(cert.raw);
  } catch {
    // DerError for what DER forbids; anything else the reader trips on is unreadable too (fail closed).
    return undefined;
  }
}

/** What every certificate below the root must satisfy. */
function certificateProblem(cert: X509Certificate, facts: LeafFacts, now: number): ChainRefusal | undefined {
  if (now < facts.notBefore.getTime() || now > facts.notAfter.getTime()) return 'not-valid-now';
  if (facts.unknownCritical.length > 0) return 'critical-extension';
  if (!SIGNATURE_ALGORITHMS.has(facts.signatureAlgorithm)) return 'weak-algorithm';
  let key: KeyObject;
  try {
    key = cert.publicKey;
  } catch {
    return 'malformed'; // OpenSSL parsed the certificate but not the key inside it (found by the fuzz test)
  }
  return acceptableKey(key) ? undefined : 'weak-algorithm';
}

function leafRoleProblem(facts: LeafFacts, purpose: ChainPurpose): ChainRefusal | undefined {
  if (facts.ca === true) return 'leaf-is-ca';
  if (facts.keyUsage !== undefined && ((facts.keyUsage & KU_DIGITAL_SIGNATURE) === 0 || (facts.keyUsage & KU_KEY_CERT_SIGN) !== 0)) return 'wrong-purpose';
  if (facts.extKeyUsages.length > 0 && !facts.extKeyUsages.includes(EKU[purpose])) return 'wrong-purpose';
  return undefined;
}

/** `below` intermediates sit between this one and the leaf. */
function issuerRoleProblem(facts: LeafFacts, below: number): ChainRefusal | undefined {
  if (facts.ca !== true) return 'issuer-not-ca';
  if (facts.pathLen !== undefined && below > facts.pathLen) return 'path-length';
  return undefined;
}

/** A trust anchor is trusted as given, but only while valid and within its path length (`below` intermediates under it). */
function rootProblem(root: TrustAnchor, below: number, now: number): ChainRefusal | undefined {
  if (now < Date.parse(root.cert.validFrom) || now > Date.parse(root.cert.validTo)) return 'not-valid-now';
  if (root.pathLen !== undefined && below > root.pathLen) return 'path-length';
  return undefined;
}

function acceptableKey(key: KeyObject): boolean {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') return CURVES.has(details?.namedCurve ?? '');
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return (details?.modulusLength ?? 0) >= MIN_RSA_BITS;
  return key.asymmetricKeyType === 'ed25519';
}

/**
 * `child.checkIssued(issuer)` has held (names, key identifiers, keyCertSign) and `child` passed
 * `certificateProblem` (its signature algorithm is one we accept); now the signature itself.
 */
function signedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.verify(issuer.publicKey);
  } catch {
    return false; // a signature OpenSSL cannot even decode
  }
}
