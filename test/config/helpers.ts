import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocuments, type LoadResult } from '../../src/config/index.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'config');

export function loadFixture(name: string): LoadResult {
  return parseDocuments([{ file: name, text: readFileSync(join(FIXTURES, name), 'utf8') }]);
}

export function load(text: string, file = 'in.yaml'): LoadResult {
  return parseDocuments([{ file, text }]);
}
