#!/usr/bin/env bash
# Runs every drflow test on a fresh machine: installs what is missing, then `mvn verify`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/install-deps.sh"
. "$here/scripts/env.sh"
cd "$here"
echo "java: $JAVA ($(java_major "$JAVA"))"
mvn -B -ntp verify "$@"
