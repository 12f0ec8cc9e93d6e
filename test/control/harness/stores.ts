/** Fresh SQLite stores in a temp directory, and a settable clock, for control-plane unit tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openSqliteStore } from '../../../src/control/store/sqlite.js';
import type { Store } from '../../../src/control/store/store.js';

export function tempStores(): () => Store {
  const dir = mkdtempSync(join(tmpdir(), 'mg-store-'));
  const opened: Store[] = [];
  let n = 0;
  after(async () => {
    for (const s of opened) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const s = openSqliteStore(join(dir, `s${n++}.db`));
    opened.push(s);
    return s;
  };
}

export class TestClock {
  constructor(public t = Date.UTC(2026, 0, 1)) {}
  now = (): number => this.t;
  advance(ms: number): void { this.t += ms; }
}
