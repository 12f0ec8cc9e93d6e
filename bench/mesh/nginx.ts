// nginx as the reference: two instances (one per hop, so each hop's CPU is its
// own), on 127.0.0.61 and 127.0.0.62. The client side listens plaintext and
// proxies over mutual TLS with a keep-alive upstream pool; the server side
// requires a client certificate from the mesh CA and proxies to the app.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { NGINX_UPSTREAM_NAME, type MeshPki } from './pki.js';
import { childrenOf } from './proc-stats.js';

export const NGINX_CLIENT_HOST = '127.0.0.61';
export const NGINX_SERVER_HOST = '127.0.0.62';

export interface NginxPair {
  clientPort: number;
  /** Master and worker pids of each hop. */
  clientPids(): number[];
  serverPids(): number[];
  /** Connections the server side accepted on its mTLS port so far (each one a TLS handshake). */
  handshakes(): Promise<number>;
  stop(): void;
}

/** The nginx binary, installing Debian's package when it is missing; null (with the reason printed) if that fails. */
export function ensureNginx(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (found) return found;
  process.stderr.write('progress: nginx not found; apt-get install -y nginx …\n');
  const r = spawnSync('apt-get', ['install', '-y', 'nginx'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 });
  if (r.status !== 0) {
    process.stderr.write(`progress: nginx install failed (exit ${String(r.status)}); nginx rows skipped\n`);
    return null;
  }
  return '/usr/sbin/nginx';
}

/** A port free on `host` now (bound and released; nothing else on this machine races for 127.0.0.6x). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function config(dir: string, name: string, servers: string): string {
  const d = join(dir, name);
  return `daemon off;\nmaster_process on;\nworker_processes 1;\nuser root;\npid ${d}.pid;\nerror_log ${d}-error.log warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n  client_body_temp_path ${d}-body; proxy_temp_path ${d}-proxy; fastcgi_temp_path ${d}-fcgi; uwsgi_temp_path ${d}-uwsgi; scgi_temp_path ${d}-scgi;\n  keepalive_requests 100000;\n  keepalive_timeout 300s;\n${servers}}\n`;
}

function start(bin: string, file: string): Promise<ChildProcess> {
  const p = spawn(bin, ['-c', file, '-e', `${file}.err`], { stdio: ['ignore', 'ignore', 'inherit'] });
  // nginx prints nothing when it is up: give it a moment, then check it did not exit.
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(p), 500);
    p.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`nginx exited with ${String(code)} (config ${file})`));
    });
  });
}

function stubAccepts(host: string, port: number): Promise<number> {
  return new Promise((resolve) => {
    http.get({ host, port, path: '/status', agent: false }, (res) => {
      let b = '';
      res.on('data', (c: Buffer) => (b += c.toString()));
      res.on('end', () => resolve(Number(/\n\s*(\d+)\s+\d+\s+\d+/.exec(b)?.[1] ?? 0)));
    }).on('error', () => resolve(0));
  });
}

/**
 * @example
 * const pair = await startNginxPair('/usr/sbin/nginx', dir, pki, appPort);
 * // client → http://127.0.0.61:<pair.clientPort>/api/catalog/items → mTLS → 127.0.0.62 → app
 */
export async function startNginxPair(bin: string, dir: string, pki: MeshPki, appPort: number): Promise<NginxPair> {
  const [clientPort, serverPort, statusPort] = [await freePort(NGINX_CLIENT_HOST), await freePort(NGINX_SERVER_HOST), await freePort(NGINX_SERVER_HOST)];
  const f = pki.files;
  const server = config(dir, 'server', `  upstream app { server 127.0.0.1:${appPort}; keepalive 64; }\n  server {\n    listen ${NGINX_SERVER_HOST}:${serverPort} ssl;\n    ssl_certificate ${f.serverCert}; ssl_certificate_key ${f.serverKey};\n    ssl_client_certificate ${f.ca}; ssl_verify_client on; ssl_protocols TLSv1.2 TLSv1.3;\n    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }\n  }\n  server { listen ${NGINX_SERVER_HOST}:${statusPort}; location /status { stub_status; } }\n`);
  const client = config(dir, 'client', `  upstream mesh { server ${NGINX_SERVER_HOST}:${serverPort}; keepalive 64; keepalive_requests 100000; keepalive_timeout 300s; }\n  server {\n    listen ${NGINX_CLIENT_HOST}:${clientPort};\n    location / {\n      proxy_pass https://mesh; proxy_http_version 1.1; proxy_set_header Connection "";\n      proxy_ssl_certificate ${f.clientCert}; proxy_ssl_certificate_key ${f.clientKey};\n      proxy_ssl_trusted_certificate ${f.ca}; proxy_ssl_verify on; proxy_ssl_name ${NGINX_UPSTREAM_NAME}; proxy_ssl_session_reuse on;\n    }\n  }\n`);
  writeFileSync(join(dir, 'server.conf'), server);
  writeFileSync(join(dir, 'client.conf'), client);
  const s = await start(bin, join(dir, 'server.conf'));
  const c = await start(bin, join(dir, 'client.conf')).catch((e: unknown) => {
    s.kill();
    throw e;
  });
  const pids = (p: ChildProcess) => () => (p.pid ? [p.pid, ...childrenOf(p.pid)] : []);
  let statusQueries = 0;
  return {
    clientPort,
    clientPids: pids(c),
    serverPids: pids(s),
    // Each status query is itself an accepted connection: count them out.
    handshakes: async () => (await stubAccepts(NGINX_SERVER_HOST, statusPort)) - ++statusQueries,
    stop() {
      c.kill('SIGTERM');
      s.kill('SIGTERM');
    },
  };
}
