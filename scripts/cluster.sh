#!/usr/bin/env bash
# npm run cluster -- up|down|status|kill NODE|start NODE|logs NODE
# Installs what is missing first (npm deps; for `up` also Docker, images and a build).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure-deps.sh
ensure_npm_deps
if [ "${1:-}" = up ] || [ "${1:-}" = start ]; then
  bash scripts/ensure-docker.sh
  bash scripts/build-images.sh
  printf '[cluster] building (tsc -b)\n'
  npx tsc -b
fi
exec node --conditions=@shoal/source --import tsx scripts/cluster.ts "$@"
