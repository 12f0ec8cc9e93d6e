// tsc drops the executable bit; the bin must run as `meshguard` once linked.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
