/**
 * Token secrets: 32 random bytes, base64url. The store keeps only an
 * HMAC-SHA256 of the secret under a server-side pepper (a 0600 file in the data
 * directory, not in the database), so a leaked database does not leak usable
 * tokens, and not even hashes that can be checked offline.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_BYTES = 32;
/** base64url of 32 bytes, no padding. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A fresh token secret. @example const secret = newTokenSecret(); // 'q3V…' (43 chars) */
export function newTokenSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** A fresh pepper for `hashTokenSecret`. */
export function newPepper(): Buffer {
  return randomBytes(32);
}

/** Whether a string has the shape of a token secret (checked before any lookup). */
export function looksLikeTokenSecret(value: string): boolean {
  return SECRET_SHAPE.test(value);
}

/** The stored form of a secret. @example hashTokenSecret(pepper, secret) // 64 hex chars */
export function hashTokenSecret(pepper: Buffer, secret: string): string {
  return createHmac('sha256', pepper).update(secret, 'utf8').digest('hex');
}

/** Constant-time equality of two stored hashes. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
