/**
 * How many issued-certificate records per second the SQLite store takes:
 * one transaction per record, versus the batching recorder the CA uses.
 * Run: node --import tsx test/control/store/issued-throughput.bench.ts
 * (kept beside the store tests because no bench/ path was assigned; reports, never asserts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIssuedCertRecorder } from '../../../src/control/store/issued-cert-recorder.js';
import { openSqliteStore } from '../../../src/control/store/sqlite.js';

const N = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'mg-bench-'));
const rec = (i: number) => ({ serial: i.toString(16).padStart(16, '0'), spiffeId: `spiffe://cluster.local/ns/n${i % 50}/sa/s`, notAfter: 1, issuedAt: i });

async function perRecord(): Promise<number> {
  const store = openSqliteStore(join(dir, 'one.db'));
  const t = performance.now();
  for (let i = 0; i < N; i++) await store.recordIssuedCertificates([rec(i)]);
  const ms = performance.now() - t;
  await store.close();
  return (N / ms) * 1000;
}

async function batched(): Promise<number> {
  const store = openSqliteStore(join(dir, 'batch.db'));
  const recorder = createIssuedCertRecorder(store);
  const t = performance.now();
  // Bursts of 100 concurrent issuances, as a loaded CA would see.
  for (let i = 0; i < N; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => recorder.record(rec(i + j))));
  const ms = performance.now() - t;
  await store.close();
  return (N / ms) * 1000;
}

try {
  const a = await perRecord();
  const b = await batched();
  console.log('| strategy | records/s |\n|---|---|');
  console.log(`| one transaction per record | ${Math.round(a)} |`);
  console.log(`| batching recorder (bursts of 100) | ${Math.round(b)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
