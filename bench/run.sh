#!/usr/bin/env bash
# drflow benchmark: the shell recipe vs drflow (real workflows on the Temporal dev server, a
# drflow worker process) vs the floor, on a generated database. See README.md, "Performance".
#
#   bench/run.sh [SIZE_GB] [--runs N] [--keep] [--encrypt]  side by side, medians and ratios (default 1 GB, 3 runs);
#                                                   --encrypt: drflow's backups encrypted at rest
#   bench/run.sh --concurrent [DRILLS] [--heap H]   DRILLS (100) concurrent small drills on one worker
#
# Needs: PostgreSQL server binaries and pgbench, the `temporal` CLI, /usr/bin/aws (Debian awscli),
# and a JDK 21+. Everything runs on free loopback ports in a temporary directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/env.sh"

mode=compare extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --concurrent) mode=concurrent; if [ $# -gt 1 ] && [[ "$2" =~ ^[0-9]+$ ]]; then extra+=(--drills "$2"); shift; fi ;;
    --runs) extra+=(--runs "$2"); shift ;;
    --heap) extra+=(--heap "$2"); shift ;;
    --activities) extra+=(--activities "$2"); shift ;;
    --overhead) mode=overhead ;;
    --dynamic) extra+=(--dynamic "$2"); shift ;;
    --no-warmup) extra+=(--warmup false) ;;
    --keep) extra+=(--keep true) ;;
    --encrypt) extra+=(--encrypt true) ;;
    --help|-h) sed -n '2,11p' "$0"; exit 0 ;;
    [0-9]*|.[0-9]*) extra+=(--size-gb "$1") ;;
    *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ ! -x /usr/bin/aws ]; then
  echo "bench/run.sh: the recipe needs Debian's awscli at /usr/bin/aws (apt-get install awscli)" >&2
  exit 2
fi
command -v temporal >/dev/null || { echo "bench/run.sh: the 'temporal' CLI must be on PATH (scripts/setup-temporal.sh)" >&2; exit 2; }

# Build when the jars or the benchmark's classes are older than their sources.
stamp="$here/worker/target/test-classes/io/drflow/bench/BenchMain.class"
if [ ! -f "$here/worker/target/drflow-worker.jar" ] || [ ! -f "$here/starter-cli/target/drctl.jar" ] || [ ! -f "$stamp" ] \
  || [ -n "$(find "$here" \( -path '*/src/main/*' -o -path '*/src/test/java/io/drflow/bench/*' -o -name pom.xml \) -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "bench: building drflow (mvn package -DskipTests)..." >&2
  (cd "$here" && mvn -B -q -o -DskipTests package 2>&1 | grep -v '^WARNING' >&2 || true)
  [ -f "$stamp" ] || { echo "bench: build failed" >&2; exit 1; }
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/drflow-bench-XXXXXX")"
cp="$here/worker/target/test-classes:$here/worker/target/classes:$here/worker/target/lib/*"
# shellcheck disable=SC2086
exec "$JAVA" $DRFLOW_JAVA_OPTS -Xmx1g -Dlogback.configurationFile="$here/bench/logback-bench.xml" \
  -Ddrflow.s3proxy.jar="$here/worker/target/s3proxy/s3proxy.jar" \
  -cp "$cp" io.drflow.bench.BenchMain "$mode" --repo "$here" --dir "$work" "${extra[@]}"
