// @peculiar/x509 needs reflect-metadata loaded once and a WebCrypto provider set
// (still true in v2); every identity module imports x509 through here.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
