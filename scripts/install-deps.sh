#!/usr/bin/env bash
# Installs what drflow's tests and demo need from Debian's packages when it is missing:
# PostgreSQL server binaries (initdb, pg_ctl, pg_dump, pg_restore), zstd, Maven, and for the
# end-to-end tests Debian's chromium (the browser test; playwright-core never downloads one),
# docker-compose (validates docker-compose.yml without an engine) and node/npm.
set -euo pipefail
need=()
pg_bin_ok() {
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && [ -x "$d/pg_restore" ] && return 0; done
  return 1
}
pg_bin_ok || need+=(postgresql postgresql-contrib)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v mvn >/dev/null 2>&1 || need+=(maven)
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing: ${need[*]}; install them (as root: apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian's postgresql package starts a cluster on 5432; drflow's tests bring their own clusters
# on free ports and never use it.
id postgres >/dev/null 2>&1 || { echo "the 'postgres' OS user is missing (it comes with Debian's postgresql package)" >&2; exit 1; }
