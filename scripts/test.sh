#!/usr/bin/env bash
# Runs every drflow test on a fresh machine: installs what is missing, checks the alert rules with
# promtool, then `mvn verify` (which also renders reports in headless Chromium).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/install-deps.sh"
. "$here/scripts/env.sh"
cd "$here"
echo "java: $JAVA ($(java_major "$JAVA"))"
"$here/scripts/check-alerts.sh"
mvn -B -ntp verify "$@"
