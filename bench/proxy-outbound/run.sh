#!/usr/bin/env bash
# Outbound hop benchmark (≤ ~60 s): prints a Markdown table. BENCH_SECONDS / BENCH_RATE override the defaults.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_SECONDS="${BENCH_SECONDS:-8}" timeout 110 node --import tsx bench/proxy-outbound/outbound.bench.ts
