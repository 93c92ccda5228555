# Sourced by the scripts: install npm dependencies when missing or stale.
# Idempotent: does nothing when node_modules matches package-lock.json.
ensure_npm_deps() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    printf '[deps] installing npm dependencies (npm ci)\n'
    npm ci --no-audit --no-fund >/tmp/shoal-npm-ci.log 2>&1 || { tail -30 /tmp/shoal-npm-ci.log; printf '[deps] npm ci failed; see /tmp/shoal-npm-ci.log\n' >&2; return 1; }
  fi
}
