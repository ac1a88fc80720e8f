# Sourced by drflow's scripts: picks a JDK >= 21 for Maven and the launchers, and puts the
# cached Temporal CLI on PATH. Prints what to install when something is missing.

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n1
}

pick_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for d in /usr/lib/jvm/*/; do candidates+=("${d}bin/java"); done
  local best="" best_major=0 c m
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    m=$(java_major "$c")
    [ -n "$m" ] || continue
    if [ "$m" -ge 21 ] && [ "$m" -gt "$best_major" ]; then best="$c"; best_major=$m; fi
  done
  if [ -z "$best" ]; then
    echo "drflow needs a JDK 21 or newer (found none); install one, e.g. apt-get install openjdk-21-jdk" >&2
    return 1
  fi
  JAVA="$best"
  JAVA_HOME="$(cd "$(dirname "$best")/.." && pwd)"
  export JAVA JAVA_HOME
}

pick_java || exit 1

# JDK 24+ warns on every start about gRPC's and Netty's use of sun.misc.Unsafe; allow it quietly.
DRFLOW_JAVA_OPTS="--enable-native-access=ALL-UNNAMED"
if [ "$(java_major "$JAVA")" -ge 24 ]; then
  DRFLOW_JAVA_OPTS="$DRFLOW_JAVA_OPTS --sun-misc-unsafe-memory-access=allow"
fi
export DRFLOW_JAVA_OPTS

DRFLOW_TOOLS="${DRFLOW_TOOLS:-$HOME/.cache/drflow}"
export DRFLOW_TOOLS
if [ -x "$DRFLOW_TOOLS/bin/temporal" ]; then
  case ":$PATH:" in *":$DRFLOW_TOOLS/bin:"*) ;; *) PATH="$DRFLOW_TOOLS/bin:$PATH" ;; esac
  export PATH
fi
