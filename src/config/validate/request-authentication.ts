/**
 * Istio's validation rules for RequestAuthentication (`validateJwtRule`), plus
 * the product's: `jwks` and `jwksUri` exclude each other, and `jwks` is a JWKS.
 */
import type { JwtRule, ObjectMeta, RequestAuthenticationSpec } from '../kinds.js';
import { checkMetadata, checkTargets } from './common.js';
import { findings, type Finding, type Report } from './finding.js';

const HEADER_NAME = /^[-_A-Za-z0-9]+$/;

function checkJwksUri(uri: string, path: (string | number)[], report: Report): void {
  let url: URL | undefined;
  try {
    url = new URL(uri);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
    report('jwt-jwks-uri', path, `jwksUri ${JSON.stringify(uri)} is not an http(s) URL`, 'e.g. https://issuer.example.com/.well-known/jwks.json');
  }
}

function checkJwks(jwks: string, path: (string | number)[], report: Report): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwks);
  } catch {
    report('jwt-jwks', path, 'jwks is not valid JSON', 'paste the JWKS document: {"keys": [...]}');
    return;
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  const isKey = (k: unknown): boolean => typeof k === 'object' && k !== null && typeof (k as { kty?: unknown }).kty === 'string';
  // A single JWK (with kty) is accepted too, as Istio's parser does.
  if (!(Array.isArray(keys) && keys.every(isKey)) && !isKey(parsed)) {
    report('jwt-jwks', path, 'jwks is not a JWK Set: expected {"keys": [{"kty": ...}, ...]}');
  }
}

function checkRule(rule: JwtRule, base: (string | number)[], report: Report): void {
  if (rule.issuer === '') report('jwt-issuer', [...base, 'issuer'], 'issuer must be set');
  rule.audiences?.forEach((a, i) => {
    if (a === '') report('jwt-audience', [...base, 'audiences', i], 'audience must be non-empty string');
  });
  if (rule.jwks !== undefined && rule.jwksUri !== undefined) {
    report('jwt-jwks-exclusive', [...base, 'jwks'], '`jwks` and `jwksUri` cannot both be set', 'keep `jwksUri` to fetch keys, or `jwks` to inline them');
  }
  if (rule.jwksUri !== undefined) checkJwksUri(rule.jwksUri, [...base, 'jwksUri'], report);
  if (rule.jwks !== undefined) checkJwks(rule.jwks, [...base, 'jwks'], report);
  rule.fromHeaders?.forEach((h, i) => {
    if (h.name === '') report('jwt-from-header', [...base, 'fromHeaders', i, 'name'], 'location header name must be non-empty string');
  });
  rule.fromParams?.forEach((p, i) => {
    if (p === '') report('jwt-from-param', [...base, 'fromParams', i], 'location query must be non-empty string');
  });
  rule.fromCookies?.forEach((c, i) => {
    if (c === '') report('jwt-from-cookie', [...base, 'fromCookies', i], 'cookie name must be non-empty string');
  });
  rule.outputClaimToHeaders?.forEach((o, i) => {
    const at = [...base, 'outputClaimToHeaders', i];
    if (o.claim === '' || o.header === '') report('jwt-claim-to-header', at, 'outputClaimToHeaders header and claim value must be non-empty string');
    else if (!HEADER_NAME.test(o.header)) report('jwt-claim-to-header', [...at, 'header'], `header name ${JSON.stringify(o.header)} is not a valid header name`, 'letters, digits, `-` and `_`');
  });
}

/**
 * All rule violations of one RequestAuthentication.
 *
 * @example
 * validateRequestAuthentication(meta, { jwtRules: [{ issuer: '' }] })[0]?.rule // 'jwt-issuer'
 */
export function validateRequestAuthentication(meta: ObjectMeta, spec: RequestAuthenticationSpec): Finding[] {
  const { list, report } = findings();
  checkMetadata(meta, report);
  checkTargets(spec, report);
  spec.jwtRules?.forEach((rule, i) => checkRule(rule, ['spec', 'jwtRules', i], report));
  return list;
}
