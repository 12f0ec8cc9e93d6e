#!/usr/bin/env bash
# CA service benchmark: issuance over the gRPC CA API beside the in-process issuer
# (bench/identity) and `openssl speed ecdsap256`, in the same run. Prints Markdown.
# About 90 s in all; BENCH_RATE / BENCH_SECONDS override the fixed-rate phase; BENCH_TRACE=1 adds
# per-call segments, BENCH_CLIENT=grpc-js loads with the production client (see the .bench.ts).
# The fixed-rate schedule also runs from gRPC's C core (grpc-core-client.py, Debian's python3-grpcio,
# installed here when missing; its row says so when that fails).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
  echo "progress: installing python3-grpcio (Debian) for the C-core load client …" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-grpcio >/dev/null 2>&1 || true
fi
echo "machine: $(nproc) cores, $(uname -m); load average: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
echo
echo "## over the gRPC CA API"
timeout 60 node --import tsx bench/ca-service/issue-over-grpc.bench.ts
echo
echo "## in-process issuer (bench/identity, same run)"
BENCH_SECONDS=${BENCH_IDENTITY_SECONDS:-2} timeout 60 node --import tsx bench/identity/issue.bench.ts || echo "(bench/identity failed)"
echo
echo "## openssl speed ecdsap256 (reference, 2 s)"
timeout 30 openssl speed -seconds 2 ecdsap256 2>/dev/null | tail -2
