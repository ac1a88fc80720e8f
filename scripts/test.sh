#!/usr/bin/env bash
# Runs every drflow test on a fresh machine: installs what is missing, builds the Temporal CLI
# when needed, checks the alert rules with promtool, then `mvn verify` (unit tests, then the
# end-to-end suite (worker *IT tests) against the real Temporal dev server, PostgreSQL, S3Proxy and
# the Web UI in a headless browser, and real reports rendered in headless Chromium), then checks
# the docker-compose stack as far as is possible without a Docker engine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started=$(date +%s)
"$here/scripts/install-deps.sh"
. "$here/scripts/env.sh"
"$here/scripts/setup-temporal.sh"
. "$here/scripts/env.sh"   # again: puts a freshly built temporal on PATH
cd "$here"
echo "java: $JAVA ($(java_major "$JAVA"))"
echo "temporal: $(command -v temporal) ($(temporal --version | head -n1))"
echo "chromium: $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null | head -n1)"
# The browser test's one npm package, exactly as locked; no browser download (it uses chromium).
(cd worker/src/test/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
mkdir -p test-artifacts
"$here/scripts/check-alerts.sh"
# The report-rendering tests skip without Chromium on a developer's machine; here they must run.
export DRFLOW_REQUIRE_CHROMIUM=1
mvn -B -ntp verify "$@"
# A test that failed and then passed on its one rerun is green, but its first failure may be a
# real defect: name such tests where the end of the log is read.
flaky=$(grep -l -E "<flaky(Failure|Error)" ./*/target/surefire-reports/*.xml ./*/target/failsafe-reports/*.xml 2>/dev/null || true)
if [ -n "$flaky" ]; then
  echo "scripts/test.sh: passed only on a rerun (read the first failure in these reports):"
  echo "$flaky" | sed 's/^/  /'
fi
scripts/check-image-context.sh
echo "scripts/test.sh: all passed in $(( $(date +%s) - started ))s"
