#!/usr/bin/env bash
# Builds the Temporal CLI (dev server + Web UI) from its Go module when `temporal` is not already
# installed, and caches it in $DRFLOW_TOOLS/bin (default ~/.cache/drflow/bin). Later runs are instant.
set -euo pipefail
version="${TEMPORAL_CLI_VERSION:-v1.5.1}"
tools="${DRFLOW_TOOLS:-$HOME/.cache/drflow}"
bin="$tools/bin/temporal"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "temporal CLI: $bin ($("$bin" --version | head -n1))"
  exit 0
fi
if command -v temporal >/dev/null 2>&1; then
  echo "temporal CLI: $(command -v temporal) (already on PATH)"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "building the Temporal CLI needs Go >= 1.25 (not found on PATH)" >&2
  exit 1
fi
echo "building temporal CLI $version from its Go module (a few minutes, once)..." >&2
mkdir -p "$tools/bin"
# v1.5.1's go.mod has no replace directive, so `go install module@version` builds it as released.
GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$version"
echo "temporal CLI: $bin ($("$bin" --version | head -n1))"
