// A stand-in for Istio's sample external authorizer (samples/extauthz), HTTP side:
// a request is allowed only when it carries `x-ext-authz: allow`; otherwise 403
// with the sample's body. Each check is logged the way the sample logs it.
// Listens on HOST:PORT (meshguard up sets them; the sample's HTTP port is 8000).
import { createServer } from 'node:http';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8000);

const CHECK_HEADER = 'x-ext-authz';
const ALLOWED_VALUE = 'allow';
const RESULT_HEADER = 'x-ext-authz-check-result';
const DENY_BODY = `denied by ext_authz for not found header \`${CHECK_HEADER}: ${ALLOWED_VALUE}\` in the request`;

/** `2025/05/04 08:35:26`, the Go log package's default prefix. */
function stamp(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Headers as Go prints an http.Header: `map[Content-Length:[0] X-Ext-Authz:[allow]]`. */
function goHeaderMap(headers) {
  const canon = (name) => name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-');
  const entries = Object.entries(headers).filter(([k]) => k !== 'host').map(([k, v]) => [canon(k), Array.isArray(v) ? v : [v]]);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[${entries.map(([k, v]) => `${k}:[${v.join(' ')}]`).join(' ')}]`;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8').slice(0, 64);
    const allowed = req.headers[CHECK_HEADER] === ALLOWED_VALUE;
    console.log(`${stamp()} [HTTP][${allowed ? 'allowed' : 'denied'}]: ${req.method} ${req.headers.host ?? ''}${req.url}, headers: ${goHeaderMap(req.headers)}, body: [${body}]`);
    if (allowed) return void res.writeHead(200, { [RESULT_HEADER]: 'allowed' }).end();
    res.writeHead(403, { [RESULT_HEADER]: 'denied', 'content-type': 'text/plain; charset=utf-8' }).end(DENY_BODY);
  });
});
server.listen(port, host, () => console.log(`${stamp()} Starting HTTP server at ${host}:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
