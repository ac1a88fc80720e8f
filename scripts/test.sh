#!/usr/bin/env bash
# Runs every drflow test on a fresh machine: installs what is missing, checks the alert rules with
# promtool, then `mvn verify` (which also renders reports of real runs in headless Chromium and
# leaves the pages and screenshots in test-artifacts/reports/).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/install-deps.sh"
. "$here/scripts/env.sh"
cd "$here"
echo "java: $JAVA ($(java_major "$JAVA"))"
"$here/scripts/check-alerts.sh"
# The report-rendering tests skip without Chromium on a developer's machine; here they must run.
export DRFLOW_REQUIRE_CHROMIUM=1
mvn -B -ntp verify "$@"
