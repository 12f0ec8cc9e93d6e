#!/usr/bin/env bash
# Runs every benchmark and prints one Markdown report (paste it into BENCHMARKS.md).
#   bash bench/run.sh            # all
#   bash bench/run.sh authz jwt  # some
# Each part runs its own reference side by side in the same run (openssl speed,
# jose's raw verify, the app without the proxy, …) and is bounded in time.
set -uo pipefail
cd "$(dirname "$0")/.."
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=($(ls -d bench/*/ | xargs -n1 basename))

echo "# meshguard benchmarks — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Machine: $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
echo "Node $(node --version), $(openssl version), load average $(cut -d' ' -f1-3 /proc/loadavg) at start."
for part in "${parts[@]}"; do
  [ -x "bench/$part/run.sh" ] || [ -f "bench/$part/run.sh" ] || continue
  echo
  echo "## $part"
  echo
  echo "progress: bench/$part/run.sh …" >&2
  bash "bench/$part/run.sh" || echo "(bench/$part/run.sh failed with exit $?)"
done
