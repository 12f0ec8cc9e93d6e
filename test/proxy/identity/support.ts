/**
 * Shared setup for the identity-client and Workload API tests: a real root CA, the
 * in-process CA API over it, a logger that keeps what it was told, and temp dirs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa, generateCaPrivateKey, memoryKeyStore, parseTrustDomain, workloadId, type SpiffeId } from '../../../src/identity/index.js';
import type { CaApi } from '../../../src/proxy/identity/ca-api.js';
import { IDENTITY_CLIENT_ERROR_CODES, IdentityClientError } from '../../../src/proxy/identity/errors.js';
import { createInProcessCaApi, type InProcessCaApi } from '../../../src/proxy/identity/in-process-ca.js';
import type { IdentityLog } from '../../../src/proxy/identity/identity-client.js';

export const TD = parseTrustDomain('cluster.local');
export const WEB: SpiffeId = workloadId(TD, 'default', 'web');
export const GOOD_TOKEN = 'join-token-for-web-0123456789';

export const newRoot = () => createRootCa({ trustDomain: TD, keyStore: memoryKeyStore(generateCaPrivateKey()), now: () => new Date() });

/** The stand-in CA; `GOOD_TOKEN` attests `WEB`, anything else is refused. */
export async function testCa(svidTtlMs: number): Promise<InProcessCaApi> {
  return createInProcessCaApi({
    ca: await newRoot(), now: () => new Date(), svidTtlMs, backdateMs: 0,
    attest: async (a) => {
      if (a.evidence.token !== GOOD_TOKEN) throw new Error('unknown token');
      return WEB;
    },
  });
}

export interface LogLine { level: 'info' | 'warn' | 'error'; fields: object; message: string }

export function memoryLog(): IdentityLog & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const add = (level: LogLine['level']) => (fields: object, message: string) => void lines.push({ level, fields, message });
  return { lines, info: add('info'), warn: add('warn'), error: add('error'), text: () => JSON.stringify(lines) };
}

/** A CA whose renew/sign fail with CA_UNAVAILABLE while `down()` is true. */
export function flakyCa(inner: CaApi, down: () => boolean): CaApi & { refused: number } {
  const out = {
    refused: 0,
    async sign(r: Parameters<CaApi['sign']>[0]) {
      refuse();
      return inner.sign(r);
    },
    async renew(r: Parameters<CaApi['renew']>[0]) {
      refuse();
      return inner.renew(r);
    },
    fetchBundle: () => inner.fetchBundle(),
    mintJwtSvid: (r: Parameters<CaApi['mintJwtSvid']>[0]) => inner.mintJwtSvid(r),
  };
  function refuse(): void {
    if (!down()) return;
    out.refused += 1;
    throw new IdentityClientError(IDENTITY_CLIENT_ERROR_CODES.CA_UNAVAILABLE, 'CA unavailable (test)', { reason: 'test', retryable: true });
  }
  return out;
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'mg-idc-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 20 ms up to `ms`; resolves whether it became true. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(20);
  }
  return cond();
}
