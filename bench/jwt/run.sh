#!/usr/bin/env bash
# JWT verification and effective-mTLS lookup micro-benchmarks; prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "## JWT and mTLS ($(node --version), $(date -u +%Y-%m-%d))"
echo
timeout 120 node --import tsx bench/jwt/verify.bench.ts
