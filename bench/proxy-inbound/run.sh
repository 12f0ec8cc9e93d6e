#!/usr/bin/env bash
# Inbound proxy hop benchmark: prints a Markdown table. About 40 s (BENCH_SECONDS per run, 4 runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec timeout 110 node --import tsx bench/proxy-inbound/driver.ts
