// A small HTTP(S) client for proxy tests: one request, a fresh connection, the
// status, headers and body back. With `tls`, it presents the given SVID.
import http from 'node:http';
import https from 'node:https';
import type { ProxyIdentity } from '../../../src/proxy/model.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(port: number, opts: { path?: string; method?: string; headers?: http.OutgoingHttpHeaders; tls?: ProxyIdentity; agent?: http.Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const base = { host: '127.0.0.1', port, path: opts.path ?? '/', method: opts.method ?? 'GET', headers: opts.headers ?? {}, timeout: 5000 };
    const onRes = (res: http.IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    };
    const req = opts.tls
      ? https.request({ ...base, agent: opts.agent ?? false, key: opts.tls.keyPem, cert: opts.tls.certChainPem, ca: opts.tls.bundlePem, checkServerIdentity: () => undefined }, onRes)
      : http.request({ ...base, agent: opts.agent ?? false }, onRes);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The app's view of a proxied request (the echo app's JSON). */
export function echoed(r: Reply): { method: string; url: string; headers: Record<string, string> } {
  return JSON.parse(r.body) as { method: string; url: string; headers: Record<string, string> };
}
