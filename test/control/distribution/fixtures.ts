/** A small mesh for distribution tests: two namespaces, root-namespace and namespace policies, selectors and a targetRef. */
import { parseDocuments, type Resource } from '../../../src/config/index.js';

export const MESH_YAML = `
apiVersion: meshguard.dev/v1alpha1
kind: Workload
metadata: {name: web, namespace: foo, labels: {app: web}}
spec: {serviceAccount: web-sa, address: 127.10.0.2, ports: [{port: 8080}]}
---
apiVersion: meshguard.dev/v1alpha1
kind: Workload
metadata: {name: db, namespace: foo, labels: {app: db}}
spec: {address: 127.10.0.3, sidecar: false}
---
apiVersion: meshguard.dev/v1alpha1
kind: Workload
metadata: {name: web, namespace: bar, labels: {app: web}}
spec: {serviceAccount: web, address: 127.10.0.4}
---
apiVersion: v1
kind: Service
metadata: {name: web-svc, namespace: foo}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mesh-wide, namespace: istio-system}
spec: {action: DENY, rules: [{to: [{operation: {paths: ["/admin"]}}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: root-web, namespace: istio-system}
spec: {selector: {matchLabels: {app: web}}, rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ns-wide, namespace: foo}
spec: {rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web-only, namespace: foo}
spec: {selector: {matchLabels: {app: web}}, rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: via-service, namespace: foo}
spec: {targetRefs: [{kind: Service, group: "", name: web-svc}], rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: other-ns, namespace: bar}
spec: {rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: db-permissive, namespace: foo}
spec: {selector: {matchLabels: {app: db}}, mtls: {mode: PERMISSIVE}}
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec: {selector: {matchLabels: {app: web}}, jwtRules: [{issuer: "https://issuer.example"}]}
`;

export const DENY_ADMIN_YAML = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-admin, namespace: foo}
spec: {action: DENY, rules: [{to: [{operation: {paths: ["/admin"]}}]}]}
`;

/** Parses fixture YAML (a broken fixture is a broken test: throws). */
export function load(text: string): Resource[] {
  const r = parseDocuments([{ file: 'fixture.yaml', text }]);
  if (r.errors.length > 0) throw new Error(r.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  return r.resources;
}
