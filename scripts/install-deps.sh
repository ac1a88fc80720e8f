#!/usr/bin/env bash
# Installs what drflow's tests and demo need from Debian's packages when it is missing:
# PostgreSQL server binaries (initdb, pg_ctl, pg_dump, pg_restore), zstd, Maven, promtool (to check
# the alert rules), Debian's chromium (the Web UI browser test and the HTML report rendering check;
# playwright-core never downloads a browser), docker-compose (validates docker-compose.yml without
# an engine), node/npm and moto (pip, for the Route53 tests).
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
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing: ${need[*]}; install them (as root: apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends: promtool needs no web console, Chromium no extra fonts or drivers.
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's prometheus package would start a server where systemd runs; drflow's tests only use
# its promtool. Debian's postgresql package starts a cluster on 5432; drflow's tests bring their own clusters
# on free ports and never use it.
id postgres >/dev/null 2>&1 || { echo "the 'postgres' OS user is missing (it comes with Debian's postgresql package)" >&2; exit 1; }
# moto's AWS emulator: the Route53 (failover DNS switch) tests start `moto_server` on a free port.
if ! command -v moto_server >/dev/null 2>&1; then
  command -v pip3 >/dev/null 2>&1 || command -v pip >/dev/null 2>&1 || {
    echo "moto_server is missing and so is pip: install python3-pip, then pip install 'moto[server]'" >&2; exit 1; }
  echo "installing moto[server]" >&2
  "$(command -v pip3 || command -v pip)" install -q "moto[server]"
fi
