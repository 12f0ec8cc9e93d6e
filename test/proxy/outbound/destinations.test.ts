import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutboundProxy, OUTBOUND_ERROR_CODES } from '../../../src/proxy/outbound/index.js';
import { mutableIdentity, mintSvid, testCa } from '../support/svid.js';
import { curl, endpoint, service, snapshotWith, startNamedApp, startOutbound, waitFor } from './support.js';

// One suite per file: resources made in a suite body are cleaned up by `after()` of the file.
describe('outbound destinations without a sidecar or a Service', async () => {
  const legacy = await startNamedApp('legacy');
  const local = await startNamedApp('local');
  const services = [service('legacy', 'istioinaction', [{ port: 80, targetPort: legacy.port }])];
  const endpoints = [endpoint('legacy', 'istioinaction', legacy.port, { sidecar: false, spiffeId: null })];
  const allowAny = await startOutbound(snapshotWith(services, endpoints));
  const registryOnly = await startOutbound(snapshotWith(services, endpoints, { outboundTrafficPolicy: 'REGISTRY_ONLY' }));

  it('talks plaintext to a destination without a sidecar', async () => {
    const r = await curl(['-x', allowAny.url, 'http://legacy/x']);
    assert.equal(r.stdout, 'legacy /x');
  });

  it('passes an unknown host through under ALLOW_ANY', async () => {
    const r = await curl(['-x', allowAny.url, `http://127.0.0.1:${local.port}/pass`]);
    assert.equal(r.stdout, 'local /pass');
  });

  it('answers 502 for an unknown host under REGISTRY_ONLY, and still serves Services', async () => {
    const r = await curl(['-x', registryOnly.url, '-w', '\n%{http_code}', `http://127.0.0.1:${local.port}/pass`]);
    assert.match(r.stdout, /REGISTRY_ONLY\n502$/);
    assert.equal(local.seen.length, 1);
    assert.equal((await curl(['-x', registryOnly.url, 'http://legacy/y'])).stdout, 'legacy /y');
  });

  it('answers 503 with flag UF when the destination refuses the connection', async () => {
    const dead = await startOutbound(snapshotWith([service('dead', 'istioinaction', [{ port: 80, targetPort: 1 }])], [endpoint('dead', 'istioinaction', 1, { sidecar: false, spiffeId: null })]));
    const r = await curl(['-x', dead.url, '-w', '\n%{http_code}', 'http://dead/']);
    assert.match(r.stdout, /^upstream connect error .*Connection refused\n503$/);
    await waitFor(() => dead.lines.length > 0);
    assert.equal((JSON.parse(dead.lines[0] as string) as Record<string, unknown>).response_flags, 'UF');
  });

  it('answers 503 no healthy upstream for a Service without endpoints', async () => {
    const empty = await startOutbound(snapshotWith([service('empty', 'istioinaction', [{ port: 80 }])], []));
    const r = await curl(['-x', empty.url, '-w', '\n%{http_code}', 'http://empty/']);
    assert.equal(r.stdout, 'no healthy upstream\n503');
  });

  it('refuses to listen on a non-loopback address', async () => {
    const identity = mutableIdentity(await mintSvid(await testCa(), 'istioinaction', 'webapp'));
    assert.throws(() => createOutboundProxy({ snapshot: snapshotWith([], []), identity, listen: { host: '0.0.0.0', port: 0 } }), { code: OUTBOUND_ERROR_CODES.LISTEN_NOT_LOOPBACK });
  });
});
