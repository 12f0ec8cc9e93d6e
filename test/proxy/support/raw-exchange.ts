// Raw bytes over a new loopback connection, for tests that must send what no HTTP client
// would (pipelined requests, framing tricks): what comes back until the peer goes quiet.
import net from 'node:net';

/** Each status line's code in a raw response stream, in order. */
export const statuses = (raw: string): number[] => [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));

/**
 * Sends `bytes` to 127.0.0.1:`port` and collects the answer (latin1) until nothing arrives for
 * `quietMs`, the peer closes, or 4 s pass.
 *
 * @example statuses(await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')) // [200]
 */
export function rawExchange(port: number, bytes: string | Buffer, opts: { quietMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      clearTimeout(cap);
      s.destroy();
      resolve(out);
    };
    const cap = setTimeout(done, 4000);
    s.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(done, opts.quietMs ?? 300);
    });
    s.on('error', done).on('close', done);
    s.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  });
}
