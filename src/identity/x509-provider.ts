// @peculiar/x509 needs reflect-metadata loaded once and a WebCrypto provider set
// (still true in v2); every identity module imports x509 through here.
// Loading it costs a process 7–14 MB of RSS (tsyringe, asn1js, schemas), so the sidecar
// must never reach this module: it uses ./pem.ts and ./workload-csr.ts instead
// (test/proxy/identity/sidecar-imports.test.ts walks its import graph).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
