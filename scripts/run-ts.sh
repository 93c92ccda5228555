#!/usr/bin/env bash
# Run a TypeScript script of the repo from sources, installing npm deps first if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure-deps.sh
ensure_npm_deps
script=$1; shift
exec node --conditions=@shoal/source --import tsx "$script" "$@"
