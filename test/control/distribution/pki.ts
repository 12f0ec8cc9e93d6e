/**
 * Certificates for configuration-stream tests: the control plane's serving
 * identity (its real SVID minter and `ServingIdentity`), proxy SVIDs from the
 * project's own CA code, and dialers that present them. Every CA is made here,
 * in the test process; nothing is read from disk.
 */
import tls from 'node:tls';
import {
  createRootCa, createSvidIssuer, generateCaPrivateKey, memoryKeyStore, parseTrustDomain, toPem,
} from '../../../src/identity/index.js';
import { mintControlPlaneSvid } from '../../../src/control/ca-service/control-plane-svid.js';
import { ServingIdentity } from '../../../src/control/ca-service/serving-identity.js';
import { mtlsDialer, type StreamDialer } from '../../../src/proxy/config-client/index.js';
import type { IdentitySource, ProxyIdentity } from '../../../src/proxy/model.js';
import { createTlsContextManager, type TlsContextManager } from '../../../src/proxy/tls/index.js';
import { controlPlaneSpiffeId } from '../../../src/wire/index.js';
import { mintSvid, type TestCa } from '../../proxy/support/mint.js';

/** A fresh root CA for `trustDomain` (not shared: "another CA" tests need two of one domain). */
export async function newCa(trustDomain = 'cluster.local'): Promise<TestCa> {
  const ca = await createRootCa({ trustDomain: parseTrustDomain(trustDomain), keyStore: memoryKeyStore(generateCaPrivateKey()), now: () => new Date() });
  const issuer = await createSvidIssuer({ ca, now: () => new Date() });
  return { ca, issuer, bundlePem: toPem(ca.roots), trustDomain };
}

/** The mesh's CA, shared by the whole test file (a restarted test control plane keeps it, as a real one keeps its CA). */
let shared: Promise<TestCa> | undefined;
export const meshCa = (): Promise<TestCa> => (shared ??= newCa());

/** The control plane's serving identity as the CA service builds it: its SVID and the roots of `trusted`. */
export async function servingIdentity(ca: TestCa, trusted: readonly TestCa[] = [ca]): Promise<ServingIdentity> {
  const svid = await mintControlPlaneSvid(ca.ca, { hosts: ['127.0.0.1'], now: new Date() });
  return new ServingIdentity({ svid, rootsPem: trusted.map((c) => c.bundlePem).join('') });
}

/** An identity source whose SVID the test can swap (a renewal or rotation), as the identity client does. */
export function mutableIdentity(first: ProxyIdentity): IdentitySource & { set(next: ProxyIdentity): void } {
  let current = first;
  const listeners = new Set<(id: ProxyIdentity) => void>();
  return {
    current: () => current,
    onChange(l) { listeners.add(l); return () => listeners.delete(l); },
    set(next) { current = next; for (const l of listeners) l(next); },
  };
}

/** A proxy SVID for `namespace/serviceAccount` from the mesh CA, with the dialer the sidecar would use to reach `address`. */
export async function proxyDialer(address: string, namespace: string, serviceAccount: string): Promise<{ dialer: StreamDialer; tls: TlsContextManager; identity: ReturnType<typeof mutableIdentity> }> {
  const ca = await meshCa();
  const identity = mutableIdentity(await mintSvid(ca, namespace, serviceAccount));
  const ctx = createTlsContextManager(identity);
  return { dialer: mtlsDialer(address, { tls: ctx, serverId: controlPlaneSpiffeId(ca.trustDomain) }), tls: ctx, identity };
}

/**
 * A raw TLS client: presents `identity` (or no certificate), trusts anything the
 * server shows, writes `send` and returns what it read until the server closes,
 * a first whole line arrives (a snapshot or an error: either ends the exchange)
 * or 2 s pass. What an attacker without the proxy's checks would see.
 */
export function rawTlsExchange(address: string, identity: ProxyIdentity | undefined, send: string): Promise<string> {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return new Promise((resolve) => {
    let out = '';
    const s = tls.connect({
      host: '127.0.0.1', port, rejectUnauthorized: false,
      ...(identity ? { key: identity.keyPem, cert: identity.certChainPem } : {}),
    }, () => s.write(send));
    s.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) { s.destroy(); resolve(out); }
    });
    s.on('close', () => resolve(out));
    s.on('error', () => undefined);
    setTimeout(() => { s.destroy(); resolve(out); }, 2000).unref();
  });
}
