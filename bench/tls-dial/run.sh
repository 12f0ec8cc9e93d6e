#!/usr/bin/env bash
# Per-handshake cost of the sidecar's mTLS dial (chain verified in JS) beside OpenSSL's own verification; Markdown.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
echo
timeout 120 node --import tsx bench/tls-dial/dial.bench.ts
