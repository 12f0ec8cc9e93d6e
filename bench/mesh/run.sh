#!/usr/bin/env bash
# Mesh data plane vs nginx (two hops, mutual TLS): installs nginx from Debian if
# missing, then prints Markdown tables. About 2–3 minutes; BENCH_SECONDS,
# BENCH_SAT_SECONDS, BENCH_RUNS, BENCH_RATE override the defaults. The two proxy hops
# run as compiled JS under plain node (esbuild into the temp dir), as users run
# them; BENCH_TSX_HOPS=1 runs their TypeScript through tsx instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec timeout 240 node --import tsx bench/mesh/mesh.bench.ts
