// An HTTP authorizer on 127.0.0.1 for tests: records every check it receives and
// answers as told (by default as Istio's sample: `x-ext-authz: allow` or 403).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onFileEnd } from '../support/cleanup.js';

export interface SeenCheck {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Answer = { status: number; headers?: http.OutgoingHttpHeaders; body?: string } | 'hang';

export const SAMPLE_DENY_BODY = 'denied by ext_authz for not found header `x-ext-authz: allow` in the request';

export function sampleAnswer(check: SeenCheck): Answer {
  return check.headers['x-ext-authz'] === 'allow'
    ? { status: 200, headers: { 'x-ext-authz-check-result': 'allowed' } }
    : { status: 403, headers: { 'x-ext-authz-check-result': 'denied', 'content-type': 'text/plain; charset=utf-8' }, body: SAMPLE_DENY_BODY };
}

export async function startFakeProvider(answer: (c: SeenCheck) => Answer = sampleAnswer): Promise<{ port: number; seen: SeenCheck[]; answer: { fn: (c: SeenCheck) => Answer } }> {
  const seen: SeenCheck[] = [];
  const state = { fn: answer };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const check = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(check);
      const a = state.fn(check);
      if (a === 'hang') return;
      res.writeHead(a.status, a.headers ?? {}).end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onFileEnd(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, seen, answer: state };
}
