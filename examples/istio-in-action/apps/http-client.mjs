// GET through the proxy named by http_proxy (as curl does: an absolute-URI
// request to the proxy), or directly when none is set. Plain node:http, so the
// example apps need nothing beyond Node.
import { request } from 'node:http';

/** Resolves with { status, body }; rejects when the connection fails or closes before an answer. */
export function get(target, { timeoutMs = 5000 } = {}) {
  const url = new URL(target);
  const proxy = process.env.http_proxy || process.env.HTTP_PROXY;
  const via = proxy ? new URL(proxy) : undefined;
  return new Promise((resolve, reject) => {
    const req = request({
      host: via ? via.hostname : url.hostname,
      port: via ? Number(via.port || 80) : Number(url.port || 80),
      path: via ? url.href : `${url.pathname}${url.search}`,
      headers: { host: url.host, accept: 'application/json' },
      timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
