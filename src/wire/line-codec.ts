/**
 * Splits a byte stream into newline-delimited lines, bounded: the one reader
 * of the configuration stream, on both ends.
 */
import { MAX_LINE_BYTES } from './config-stream.js';

/**
 * Calls `onLine` per complete, non-empty line (decoded as UTF-8 only once whole,
 * so a character cut across chunks survives). A line longer than `maxBytes`
 * calls `onOverflow` once and everything after it is ignored: the caller drops
 * the connection rather than buffer without bound.
 *
 * @example socket.on('data', splitLines((line) => handle(JSON.parse(line)), () => socket.destroy()));
 */
export function splitLines(onLine: (line: string) => void, onOverflow: () => void, maxBytes = MAX_LINE_BYTES): (chunk: Buffer) => void {
  let pending: Buffer[] = [];
  let size = 0;
  let overflowed = false;
  const overflow = () => {
    overflowed = true;
    pending = [];
    onOverflow();
  };
  return (chunk) => {
    if (overflowed) return;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, nl);
      if (size + part.length > maxBytes) return overflow();
      const line = pending.length === 0 ? part : Buffer.concat([...pending, part]);
      pending = [];
      size = 0;
      start = nl + 1;
      if (line.length > 0) onLine(line.toString('utf8'));
    }
    const rest = chunk.subarray(start);
    if (size + rest.length > maxBytes) return overflow();
    if (rest.length > 0) { pending.push(rest); size += rest.length; }
  };
}
