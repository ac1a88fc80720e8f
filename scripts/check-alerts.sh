#!/usr/bin/env bash
# Validates deploy/prometheus/alerts.yml (and the example prometheus.yml that loads it) and runs the
# rules' unit tests with promtool (Debian package: prometheus).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool is missing (Debian: apt-get install prometheus; scripts/install-deps.sh does it as root)" >&2
  exit 1
fi
cd "$here/deploy/prometheus"
echo "promtool: $(promtool --version 2>&1 | head -n1)"
promtool check rules alerts.yml
promtool check config prometheus.yml
promtool test rules alerts_test.yml
