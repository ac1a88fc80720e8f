#!/usr/bin/env bash
# drflow's chaos harness: worker processes SIGKILLed at every activity boundary and mid-transfer,
# storage faults between the worker and S3, a corpus of bad input, and a scan of every workflow
# history for secrets; on the real Temporal dev server, PostgreSQL and S3Proxy, with the packaged
# worker and drctl. See README.md, "Proving it survives". The last line of the output is the summary:
#
#   crash: P/N passed; faults: P/N passed; bad-input: P/N passed; secrets-in-history: K
#
#   bench/chaos.sh                      everything
#   bench/chaos.sh --short              the short version `mvn verify` runs (ChaosIT)
#   bench/chaos.sh --only crash,faults  some categories (crash, faults, bad-input)
#   bench/chaos.sh --runbooks drill-stream  kill points and faults of some runbooks (backup, drill,
#                                       drill-stream, recovery, failover); combine with --only
#
# Exits 0 only if every case passed and K is 0. Needs what scripts/test.sh installs (PostgreSQL,
# the `temporal` CLI, moto_server, a JDK 21+, Maven); everything runs on free loopback ports.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/env.sh"
for a in "$@"; do
  case "$a" in
    --help|-h) sed -n '2,17p' "$0"; exit 0 ;;
  esac
done
command -v temporal >/dev/null || { echo "bench/chaos.sh: the 'temporal' CLI must be on PATH (scripts/setup-temporal.sh)" >&2; exit 2; }
command -v "${MOTO_SERVER:-moto_server}" >/dev/null || { echo "bench/chaos.sh: moto_server (Route53 for the failover runbook) must be on PATH (scripts/install-deps.sh)" >&2; exit 2; }

started=$(date +%s)
artifacts="$here/test-artifacts/chaos"
mkdir -p "$artifacts"
echo "chaos: building drflow (mvn package, tests compiled but not run)..."
# Offline when everything is cached, as on a developer's machine; online on a fresh CI runner.
if ! (cd "$here" && mvn -B -q -o -DskipTests package >"$artifacts/build.log" 2>&1); then
  (cd "$here" && mvn -B -q -ntp -DskipTests package >"$artifacts/build.log" 2>&1) \
    || { tail -n 40 "$artifacts/build.log" >&2; echo "bench/chaos.sh: build failed (see $artifacts/build.log)" >&2; exit 1; }
fi
echo "chaos: built in $(( $(date +%s) - started ))s"

cp="$here/worker/target/test-classes:$here/worker/target/classes:$here/activities/target/test-classes:$here/worker/target/lib/*:$here/worker/target/test-lib/*"
set +e
# shellcheck disable=SC2086
"$JAVA" $DRFLOW_JAVA_OPTS -Xmx1g -Dlogback.configurationFile="$here/bench/logback-chaos.xml" \
  -Ddrflow.worker.jar="$here/worker/target/drflow-worker.jar" \
  -Ddrflow.drctl.jar="$here/starter-cli/target/drctl.jar" \
  -Ddrflow.s3proxy.jar="$here/worker/target/s3proxy/s3proxy.jar" \
  -Ddrflow.artifacts.dir="$artifacts" \
  -cp "$cp" io.drflow.e2e.ChaosMain --elapsed-since "$started" "$@" 2>"$artifacts/stderr.log" | tee "$artifacts/chaos.log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ] && ! tail -n 1 "$artifacts/chaos.log" | grep -q '^crash: '; then
  echo "chaos: the harness stopped before its summary; the end of $artifacts/stderr.log:" >&2
  grep -v '^[[:space:]]*at ' "$artifacts/stderr.log" | tail -n 15 >&2
fi
exit "$status"
