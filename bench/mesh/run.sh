#!/usr/bin/env bash
# Mesh data plane vs nginx (two hops, mutual TLS): installs nginx from Debian if
# missing, then prints Markdown tables. About 2–3 minutes; BENCH_SECONDS,
# BENCH_SAT_SECONDS, BENCH_RUNS, BENCH_RATE override the defaults. The two proxy hops
# run as compiled JS under plain node (esbuild into the temp dir) with the node flags
# `meshguard up` gives sidecars, as users run them; BENCH_PROXY_FLAGS replaces those
# flags, BENCH_TSX_HOPS=1 runs their TypeScript through tsx instead.
# BENCH_FLAGS=1 compares sets of node flags for the hops instead (flags.bench.ts,
# about 1.5 minutes; BENCH_FLAG_SETS='|--max-semi-space-size=1' picks the sets).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -n "${BENCH_FLAGS:-}" ]; then exec timeout 240 node --import tsx bench/mesh/flags.bench.ts; fi
exec timeout 240 node --import tsx bench/mesh/mesh.bench.ts
