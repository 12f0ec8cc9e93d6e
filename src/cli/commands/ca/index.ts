/** `meshguard ca status|rotate|sign`: the running control plane's CA. */
import type { Command } from 'commander';
import { addRotate } from './rotate.js';
import { addSign } from './sign.js';
import { addStatus } from './status.js';

export function register(program: Command): void {
  const ca = program.command('ca').description('show the CA, rotate its root, sign a CSR made by another tool');
  addStatus(ca);
  addRotate(ca);
  addSign(ca);
}
