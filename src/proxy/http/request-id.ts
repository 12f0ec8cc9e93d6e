/**
 * `x-request-id` values: random (version 4) UUIDs, as Envoy generates them.
 * Node's `randomUUID` builds each id from some twenty string concatenations;
 * this writes the 36 characters into a scratch buffer and reads them back as
 * one flat string, with the randomness drawn 256 ids at a time.
 */
import { randomFillSync } from 'node:crypto';

const IDS_PER_FILL = 256;
const random = Buffer.alloc(16 * IDS_PER_FILL);
let next = IDS_PER_FILL;
const text = Buffer.alloc(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where each of the 16 bytes goes in `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
text[8] = text[13] = text[18] = text[23] = 0x2d;

/**
 * @example
 * requestId() // '3f1c0a52-9b2e-4d3e-8f10-5a6b7c8d9e0f'
 */
export function requestId(): string {
  if (next === IDS_PER_FILL) {
    randomFillSync(random);
    next = 0;
  }
  const o = next++ * 16;
  random[o + 6] = ((random[o + 6] as number) & 0x0f) | 0x40; // version 4
  random[o + 8] = ((random[o + 8] as number) & 0x3f) | 0x80; // RFC 4122 variant
  for (let i = 0; i < 16; i++) {
    const b = random[o + i] as number;
    const at = AT[i] as number;
    text[at] = HEX[b >> 4] as number;
    text[at + 1] = HEX[b & 15] as number;
  }
  return text.toString('latin1', 0, 36);
}
