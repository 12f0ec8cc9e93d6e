/**
 * Test helper: an issuer with a freshly generated key pair, its inline JWKS
 * (as the JSON string a jwtRule takes) and a `sign` that builds tokens with
 * jose — no hand-made JWTs except where the malformation is the point.
 */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export interface TestIssuer {
  jwks: string;
  kid: string;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
  sign(claims: JWTPayload, header?: { alg?: string; kid?: string }): Promise<string>;
}

export async function makeIssuer(alg: 'RS256' | 'ES256' = 'RS256', kid = `k-${alg}-${Math.random().toString(36).slice(2)}`): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return {
    jwks: JSON.stringify({ keys: [jwk] }),
    kid,
    publicKey,
    privateKey,
    sign: (claims, header = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg: header.alg ?? alg, kid: header.kid ?? kid, typ: 'JWT' }).sign(privateKey),
  };
}

/** Seconds since the epoch of a Date, for claims. */
export const epoch = (d: Date): number => Math.floor(d.getTime() / 1000);
