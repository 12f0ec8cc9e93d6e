import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MESH_CONFIG, type PeerAuthentication } from '../../../src/config/kinds.js';
import { compilePeerAuthentication, effectiveMtls } from '../../../src/policy/mtls/effective-mode.js';
import { fromYaml, pa } from './resources.js';

const mesh = DEFAULT_MESH_CONFIG;
const webapp = { namespace: 'istioinaction', labels: { app: 'webapp' } };
const catalog = { namespace: 'istioinaction', labels: { app: 'catalog' } };

const meshStrict = pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }, '2024-01-01T00:00:00Z');
const nsPermissive = pa('istioinaction', 'default', { mtls: { mode: 'PERMISSIVE' } }, '2024-01-02T00:00:00Z');
const webappStrict = pa(
  'istioinaction',
  'webapp',
  { selector: { matchLabels: { app: 'webapp' } }, mtls: { mode: 'STRICT' } },
  '2024-01-03T00:00:00Z',
);

describe('effective mTLS mode', () => {
  const table: { name: string; policies: PeerAuthentication[]; workload?: typeof webapp; port?: number; mode: string; policy: string | null; portLevel?: boolean }[] = [
    { name: 'nothing set is PERMISSIVE', policies: [], mode: 'PERMISSIVE', policy: null },
    { name: 'a mesh-wide STRICT applies to every workload', policies: [meshStrict], mode: 'STRICT', policy: 'istio-system/default' },
    {
      name: 'a namespace PERMISSIVE overrides the mesh STRICT',
      policies: [meshStrict, nsPermissive],
      mode: 'PERMISSIVE',
      policy: 'istioinaction/default',
    },
    {
      name: 'a workload STRICT overrides the namespace PERMISSIVE',
      policies: [meshStrict, nsPermissive, webappStrict],
      mode: 'STRICT',
      policy: 'istioinaction/webapp',
    },
    {
      name: 'a namespace policy elsewhere does not apply',
      policies: [meshStrict, pa('other', 'default', { mtls: { mode: 'DISABLE' } })],
      mode: 'STRICT',
      policy: 'istio-system/default',
    },
    {
      name: 'a workload policy whose selector does not match does not apply',
      policies: [meshStrict, webappStrict],
      workload: catalog,
      mode: 'STRICT',
      policy: 'istio-system/default',
    },
    {
      name: 'UNSET at namespace level inherits the mesh mode',
      policies: [meshStrict, pa('istioinaction', 'default', { mtls: { mode: 'UNSET' } })],
      mode: 'STRICT',
      policy: 'istio-system/default',
    },
    {
      name: 'a workload policy without mtls inherits the namespace mode',
      policies: [nsPermissive, pa('istioinaction', 'w', { selector: { matchLabels: { app: 'webapp' } } })],
      mode: 'PERMISSIVE',
      policy: 'istioinaction/default',
    },
    {
      name: 'a root-namespace policy with a selector is ignored',
      policies: [meshStrict, pa('istio-system', 'sel', { selector: { matchLabels: { app: 'webapp' } }, mtls: { mode: 'DISABLE' } })],
      mode: 'STRICT',
      policy: 'istio-system/default',
    },
    {
      name: 'portLevelMtls DISABLE applies on its own port',
      policies: [
        meshStrict,
        pa('istioinaction', 'w', { selector: { matchLabels: { app: 'webapp' } }, portLevelMtls: { '8080': { mode: 'DISABLE' } } }),
      ],
      port: 8080,
      mode: 'DISABLE',
      policy: 'istioinaction/w',
      portLevel: true,
    },
    {
      name: 'a workload policy with only portLevelMtls inherits on other ports',
      policies: [
        meshStrict,
        pa('istioinaction', 'w', { selector: { matchLabels: { app: 'webapp' } }, portLevelMtls: { '8080': { mode: 'DISABLE' } } }),
      ],
      port: 9090,
      mode: 'STRICT',
      policy: 'istio-system/default',
    },
    {
      name: 'an UNSET port inherits the workload mode',
      policies: [
        meshStrict,
        pa('istioinaction', 'w', {
          selector: { matchLabels: { app: 'webapp' } },
          mtls: { mode: 'PERMISSIVE' },
          portLevelMtls: { '8080': { mode: 'UNSET' } },
        }),
      ],
      port: 8080,
      mode: 'PERMISSIVE',
      policy: 'istioinaction/w',
      portLevel: false,
    },
    {
      name: 'portLevelMtls on a namespace-wide policy is not honoured',
      policies: [pa('istioinaction', 'default', { mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'DISABLE' } } })],
      port: 8080,
      mode: 'STRICT',
      policy: 'istioinaction/default',
    },
    {
      name: 'two namespace-wide policies: the oldest wins',
      policies: [
        pa('istioinaction', 'aaa-newer', { mtls: { mode: 'DISABLE' } }, '2024-05-01T00:00:00Z'),
        pa('istioinaction', 'zzz-older', { mtls: { mode: 'STRICT' } }, '2024-04-01T00:00:00Z'),
      ],
      mode: 'STRICT',
      policy: 'istioinaction/zzz-older',
    },
    {
      name: 'two namespace-wide policies of the same age: the first name wins',
      policies: [
        pa('istioinaction', 'b', { mtls: { mode: 'DISABLE' } }, '2024-04-01T00:00:00Z'),
        pa('istioinaction', 'a', { mtls: { mode: 'STRICT' } }, '2024-04-01T00:00:00Z'),
      ],
      mode: 'STRICT',
      policy: 'istioinaction/a',
    },
    {
      name: 'two matching workload policies: the oldest wins',
      policies: [
        pa('istioinaction', 'new', { selector: { matchLabels: { app: 'webapp' } }, mtls: { mode: 'DISABLE' } }, '2024-06-01T00:00:00Z'),
        pa('istioinaction', 'old', { selector: { matchLabels: { app: 'webapp' } }, mtls: { mode: 'STRICT' } }, '2024-03-01T00:00:00Z'),
      ],
      mode: 'STRICT',
      policy: 'istioinaction/old',
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const got = effectiveMtls(c.policies, mesh, c.workload ?? webapp, c.port ?? 8080);
      assert.equal(got.mode, c.mode);
      assert.equal(got.policy, c.policy);
      assert.equal(got.portLevel, c.portLevel ?? false);
      const compiled = compilePeerAuthentication(c.policies, mesh).lookup(c.workload ?? webapp, c.port ?? 8080);
      assert.deepEqual(compiled, got, 'the compiled form decides the same');
    });
  }

  it('explains each level when asked', () => {
    const got = effectiveMtls([meshStrict, nsPermissive], mesh, webapp, 8080, { explain: true });
    assert.deepEqual(got.trace, [
      'mesh: istio-system/default sets STRICT',
      'namespace: istioinaction/default sets PERMISSIVE',
      'workload: no policy',
    ]);
    assert.match(got.reason, /namespace policy istioinaction\/default sets PERMISSIVE/);
  });

  it('honours a root namespace other than istio-system', () => {
    const custom = { ...mesh, rootNamespace: 'mesh-root' };
    const got = effectiveMtls([pa('mesh-root', 'default', { mtls: { mode: 'STRICT' } }), meshStrict], custom, webapp, 8080);
    assert.equal(got.policy, 'mesh-root/default');
    assert.equal(effectiveMtls([meshStrict], custom, { namespace: 'x', labels: {} }, 1).mode, 'PERMISSIVE');
  });
});

describe('Istio in Action 9.2 PeerAuthentication walk-through', () => {
  const meshWide = fromYaml<PeerAuthentication>(`
apiVersion: "security.istio.io/v1beta1"
kind: "PeerAuthentication"
metadata:
  name: "default"
  namespace: "istio-system"
spec:
  mtls:
    mode: STRICT
`);
  const workloadSpecific = fromYaml<PeerAuthentication>(`
apiVersion: "security.istio.io/v1beta1"
kind: "PeerAuthentication"
metadata:
  name: "webapp"
  namespace: "istioinaction"
spec:
  selector:
    matchLabels:
      app: "webapp"
  mtls:
    mode: PERMISSIVE
`);

  it('the mesh-wide default STRICT refuses plaintext to webapp', () => {
    assert.equal(effectiveMtls(meshWide, mesh, webapp, 8080).mode, 'STRICT');
  });

  it('the webapp policy lets webapp accept plaintext while catalog stays STRICT', () => {
    const all = [...meshWide, ...workloadSpecific];
    assert.deepEqual(
      [effectiveMtls(all, mesh, webapp, 8080).mode, effectiveMtls(all, mesh, catalog, 3000).mode],
      ['PERMISSIVE', 'STRICT'],
    );
  });
});
