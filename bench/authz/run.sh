#!/usr/bin/env bash
# Runs the authorization decision benchmark and prints a Markdown table (≈1 minute).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec timeout 150 node --import tsx bench/authz/decision.bench.ts
