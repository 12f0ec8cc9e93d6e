// One file-level `after` that closes everything the helpers opened. Registered
// when this module loads (the test file's top level), so it belongs to the file
// and not to whichever test happened to be running when a helper was called.
import { after } from 'node:test';

const closers: (() => unknown)[] = [];

after(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Run `close` when the test file ends (last registered, first closed). */
export function onFileEnd(close: () => unknown): void {
  closers.push(close);
}
