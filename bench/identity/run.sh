#!/usr/bin/env bash
# CA issuance benchmark: prints a Markdown table (paste into BENCHMARKS.md).
# BENCH_SECONDS=3 by default; the whole run takes about 30 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "machine: $(nproc) cores, $(uname -m); load average: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: other engineers' jobs run too)"
exec timeout 120 node --import tsx bench/identity/issue.bench.ts
