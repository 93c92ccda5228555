#!/usr/bin/env bash
# Build Shoal's local images without a registry:
#   shoal/busybox  a busybox rootfs (static busybox + applet links) via docker import
#   shoal/pause    the pod sandbox holder (images/pause/pause.c, static)
#   shoal/echo     a tiny HTTP server answering with its pod's name (images/echo/echo.c, static)
# Each image is tagged with a hash of its inputs, and `latest` points at it;
# when that tag already exists the image is not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[images] %s\n' "$*"; }
die() { printf '[images] error: %s\n' "$*" >&2; exit 1; }

docker version >/dev/null 2>&1 || die "no Docker engine answers; run scripts/ensure-docker.sh first"

BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "busybox is missing; apt-get install busybox-static"
file_is_static() { ! ldd "$1" >/dev/null 2>&1; }
file_is_static "$BUSYBOX" || die "$BUSYBOX is dynamically linked; install busybox-static"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

have_tag() { docker image inspect "$1" >/dev/null 2>&1; }

# import NAME HASH ROOTFS [--change ...]: import a rootfs unless NAME:HASH exists.
import_image() {
  local name=$1 hash=$2 rootfs=$3; shift 3
  if have_tag "$name:$hash"; then
    say "$name:$hash is up to date"
  else
    say "building $name:$hash"
    tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -c . | docker import "$@" - "$name:$hash" >/dev/null
  fi
  docker tag "$name:$hash" "$name:latest"
}

# ---- shoal/busybox
bb_hash=$( (sha256sum "$BUSYBOX"; sha256sum "$0") | sha256sum | cut -c1-12)
if ! have_tag "shoal/busybox:$bb_hash"; then
  root="$work/busybox"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,proc,sys,dev,root,var/www,home}
  chmod 1777 "$root/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in $("$BUSYBOX" --list-full); do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -sf /bin/busybox "$root/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
fi
import_image shoal/busybox "$bb_hash" "$work/busybox" --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin'

# ---- shoal/pause
pause_hash=$( (sha256sum images/pause/pause.c; sha256sum "$0") | sha256sum | cut -c1-12)
if ! have_tag "shoal/pause:$pause_hash"; then
  root="$work/pause"
  mkdir -p "$root"
  if command -v gcc >/dev/null 2>&1 && gcc -static -Os -o "$root/pause" images/pause/pause.c 2>"$work/gcc.log"; then
    strip "$root/pause" 2>/dev/null || true
  else
    die "cannot compile images/pause/pause.c statically (need gcc and libc6-dev): $(cat "$work/gcc.log" 2>/dev/null)"
  fi
fi
import_image shoal/pause "$pause_hash" "$work/pause" --change 'ENTRYPOINT ["/pause"]'

# ---- shoal/echo
echo_hash=$( (sha256sum images/echo/echo.c; sha256sum "$0") | sha256sum | cut -c1-12)
if ! have_tag "shoal/echo:$echo_hash"; then
  root="$work/echo"
  mkdir -p "$root"
  if gcc -static -Os -o "$root/echo" images/echo/echo.c 2>"$work/gcc-echo.log"; then
    strip "$root/echo" 2>/dev/null || true
  else
    die "cannot compile images/echo/echo.c statically: $(cat "$work/gcc-echo.log" 2>/dev/null)"
  fi
fi
import_image shoal/echo "$echo_hash" "$work/echo" --change 'ENTRYPOINT ["/echo"]' --change 'ENV PORT=8080' --change 'EXPOSE 8080'

say "images ready: shoal/busybox:$bb_hash shoal/pause:$pause_hash shoal/echo:$echo_hash"
