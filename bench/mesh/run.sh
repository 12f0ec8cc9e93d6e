#!/usr/bin/env bash
# Mesh data plane vs nginx (two hops, mutual TLS): installs nginx from Debian if
# missing, then prints Markdown tables. About 2–3 minutes; BENCH_SECONDS,
# BENCH_SAT_SECONDS, BENCH_RUNS, BENCH_RATE override the defaults.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec timeout 240 node --import tsx bench/mesh/mesh.bench.ts
