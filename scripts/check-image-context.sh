#!/usr/bin/env bash
# No Docker engine is needed: checks what can be checked of the deployable stack.
#  1. docker-compose.yml is valid (`docker-compose config`, which needs no engine).
#  2. Every file the worker Dockerfile COPYs exists after the build, and .dockerignore lets it in.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml: valid ($(docker-compose -f docker-compose.yml config --services | wc -l) services)"
missing=0
while read -r -a words; do
  # COPY src... dest: every word but the first and the last is a source.
  for src in "${words[@]:1:${#words[@]}-2}"; do
    if [ ! -e "$src" ]; then
      echo "Dockerfile copies $src, which the build did not produce" >&2
      missing=1
    elif ! grep -qxF "!${src%/}" .dockerignore && ! grep -qxF "!$src" .dockerignore; then
      echo "Dockerfile copies $src, which .dockerignore keeps out of the build context" >&2
      missing=1
    fi
  done
done < <(grep -E '^COPY ' Dockerfile)
[ "$missing" = 0 ] || exit 1
echo "Dockerfile: every copied path exists ($(grep -cE '^COPY ' Dockerfile) COPY lines)"
