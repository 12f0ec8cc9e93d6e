// The identity layer's public surface: SPIFFE IDs, the CA, X.509- and JWT-SVIDs, bundles, rotation.
export { IdentityError, CsrRefusedError, IdentityErrorCode, type IdentityErrorCodeValue } from './errors.js';
export {
  parseSpiffeId, parseTrustDomain, isSpiffeId, trustDomainOf, pathOf, workloadId, trustDomainId, principalOf,
  type SpiffeId, type TrustDomain,
} from './spiffe-id.js';
export {
  memoryKeyStore, generateCaPrivateKey, algorithmOfKey, hashFor, isBuiltinKeyStore, BUILTIN_KEY_STORE, DEFAULT_CA_KEY_ALGORITHM,
  type CaKeyStore, type CaKeyAlgorithm,
} from './ca/key-store.js';
export { createKeyFileStore, loadKeyFileStore, readPrivateKeyFile } from './ca/key-file.js';
export { describeAuthority, type CertificateAuthority } from './ca/authority.js';
export { createRootCa, DEFAULT_ROOT_TTL_MS } from './ca/create-root.js';
export { loadPluggedCa, loadIstioCacerts, loadCertManagerSecret, ISTIO_CACERTS_FILES, CERT_MANAGER_FILES } from './ca/load-ca-files.js';
export { toPem, certificatesFromPem, asDerCertificate, type DerCertificate } from './pem.js';
export { buildWorkloadCsr } from './workload-csr.js';
export { parseAndVerifyCsr, csrPemToDer, MAX_CSR_BYTES, type ParsedCsr, type LeafKeyKind } from './ca/csr.js';
export {
  createSvidIssuer, leafWindow, DEFAULT_SVID_TTL_MS, DEFAULT_MAX_SVID_TTL_MS, DEFAULT_BACKDATE_MS,
  SVID_ISSUED_CHANNEL, CSR_REFUSED_CHANNEL,
  type SvidIssuer, type SvidIssuerOptions, type SvidRequest, type IssuedSvid,
} from './ca/issue.js';
export { validateX509Svid, readLeafFacts, type LeafFacts, type SvidExpectations } from './ca/validate.js';
export {
  mintJwtSvid, validateJwtSvid, DEFAULT_JWT_SVID_TTL_SECONDS, MAX_JWT_SVID_TTL_SECONDS, JWT_SVID_ALGORITHMS,
  type JwtSigningKey, type JwtSvidClaims,
} from './jwt-svid.js';
export {
  buildBundleDocument, parseBundleDocument, jwtKeySet, DEFAULT_REFRESH_HINT_SECONDS,
  type TrustBundle, type BundleJwtKey, type SpiffeBundleDocument,
} from './bundle.js';
export {
  initialRotation, prepareRotation, activateRotation, retireRotation, trustedRoots, rotationPhase,
  type CaSlot, type RotationState,
} from './rotation/slots.js';
export { renewAt, shouldRenew, RENEW_AT_FRACTION, RENEW_JITTER_FRACTION } from './rotation/renewal.js';
