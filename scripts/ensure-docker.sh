#!/usr/bin/env bash
# Make sure a Docker engine answers on the default socket.
# Idempotent: installs only what is missing (Debian's docker.io, a static
# busybox for the image build, iptables, and `ip` and `nsenter` for the pod
# wiring), starts dockerd in the background
# when no engine answers, and waits until it does.
set -euo pipefail

SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
LOG=${DOCKERD_LOG:-/var/log/shoal-dockerd.log}
WAIT_S=${DOCKERD_WAIT_S:-60}

say() { printf '[ensure-docker] %s\n' "$*"; }
die() { printf '[ensure-docker] error: %s\n' "$*" >&2; exit 1; }

engine_answers() {
  command -v docker >/dev/null 2>&1 && docker -H "unix://$SOCK" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

need_install=()
engine_answers || command -v dockerd >/dev/null 2>&1 || need_install+=(docker.io)
# The image build needs a statically linked busybox (Debian's busybox package is dynamic).
bb=$(command -v busybox || echo /bin/busybox)
{ [ -x "$bb" ] && ! ldd "$bb" >/dev/null 2>&1; } || need_install+=(busybox-static)
command -v iptables >/dev/null 2>&1 || need_install+=(iptables)
# Pods are wired with veth pairs (`ip` from iproute2, `nsenter` from util-linux).
command -v ip >/dev/null 2>&1 || need_install+=(iproute2)
command -v nsenter >/dev/null 2>&1 || need_install+=(util-linux)

if [ ${#need_install[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "installing ${need_install[*]} needs root (run as root, or install them yourself)"
  command -v apt-get >/dev/null 2>&1 || die "apt-get is missing: install ${need_install[*]} by hand"
  say "installing ${need_install[*]} with apt-get (this takes a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/tmp/shoal-apt-update.log 2>&1 || die "apt-get update failed (no network to Debian's mirrors?); see /tmp/shoal-apt-update.log"
  apt-get install -y -qq --no-install-recommends "${need_install[@]}" >/tmp/shoal-apt-install.log 2>&1 \
    || die "apt-get install ${need_install[*]} failed; see /tmp/shoal-apt-install.log"
fi

if engine_answers; then
  say "Docker engine $(docker -H "unix://$SOCK" version --format '{{.Server.Version}}') answers on $SOCK"
  exit 0
fi

command -v dockerd >/dev/null 2>&1 || die "dockerd is still missing after install"
[ "$(id -u)" = 0 ] || die "dockerd must be started as root"

if [ -S "$SOCK" ] && ! engine_answers; then
  say "removing stale socket $SOCK"
  rm -f "$SOCK"
fi

say "starting dockerd in the background (log: $LOG)"
# setsid: the engine must outlive the shell that started it.
setsid nohup dockerd -H "unix://$SOCK" >>"$LOG" 2>&1 </dev/null &

for _ in $(seq 1 "$WAIT_S"); do
  if engine_answers; then
    say "Docker engine $(docker version --format '{{.Server.Version}}') is up"
    exit 0
  fi
  sleep 1
done
tail -20 "$LOG" >&2 || true
die "dockerd did not answer within ${WAIT_S}s; see $LOG"
