#!/usr/bin/env bash
# Air-gapped route: build stand-ins for the official base images without any container registry.
#   1. debootstrap a minimal Debian trixie rootfs from deb.debian.org (plain http: no TLS needed)
#   2. `docker import` it as httpbench-base/debian:trixie
#   3. `docker build --network host` on top of it every stand-in the target manifests name
#      (targets/*/target.yaml `bases[].standIn`, listed by `httpbench targets --tsv stand-ins`), each
#      from its recipe under docker/bases/, e.g.
#        httpbench-base/python:3.13-slim  (Debian's python3 3.13 + venv, `python`/`pip` like the official image)
#        httpbench-base/golang:1.24       (Debian's golang-go 1.24, git, ca-certificates)
#        httpbench-base/node:20           (Debian's nodejs 20 and npm)
#        httpbench-base/postgres:17       (Debian's postgresql-17, `postgres`/`pg_isready` on PATH, stand-in
#                                          for the official postgres:17 the harness runs as its database)
# Images already present are reused unless --force. Idempotent; runs unattended as root. Needs
# `npm ci` first (the manifests are read through the harness).
#
# Usage: scripts/build-bases.sh [--force] [--ca-bundle FILE] [--mirror URL]
#   --ca-bundle FILE  PEM bundle added to the stand-ins' trust store so pip/go/npm inside later builds
#                     verify a TLS-intercepting proxy. Default: /etc/ssl/certs/ca-certificates.crt when
#                     /usr/local/share/ca-certificates holds any .crt (the host trusts extra CAs), else none.
set -euo pipefail

force=0
ca_bundle=""
ca_given=0
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=trixie
while [[ $# -gt 0 ]]; do
  case "$1" in
    --force) force=1; shift ;;
    --ca-bundle) ca_bundle=${2:?--ca-bundle needs a file}; ca_given=1; shift 2 ;;
    --mirror) mirror=${2:?--mirror needs a URL}; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build-bases: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [[ $ca_given -eq 0 ]] && compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  ca_bundle=/etc/ssl/certs/ca-certificates.crt
fi
if [[ -n $ca_bundle && ! -r $ca_bundle ]]; then
  echo "build-bases: CA bundle $ca_bundle is not readable; pass --ca-bundle FILE with a PEM bundle" >&2
  exit 2
fi

BASE=httpbench-base/debian:$suite
root=$(cd "$(dirname "$0")/.." && pwd)
# image <TAB> official <TAB> recipe, one line per stand-in; read before any slow step so a broken
# manifest fails at once (exit 2).
standins=$(node "$root/bin/httpbench.js" targets --tsv stand-ins)
PG=httpbench-base/postgres:17

now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
size_mb() { awk -v s="$(docker image inspect --format '{{.Size}}' "$1")" 'BEGIN { printf "%.1f", s / 1e6 }'; }

if ! docker info >/dev/null 2>&1; then
  echo "build-bases: Docker engine not reachable; run scripts/docker-up.sh first" >&2
  exit 3
fi

work=$(mktemp -d /tmp/httpbench-bases.XXXXXX)
# The rootfs holds root-owned device nodes; remove it whatever happens.
trap 'rm -rf "$work"' EXIT

total_start=$(now_s)

# --- 1+2: Debian rootfs → image -----------------------------------------------------------------
if [[ $force -eq 0 ]] && have_image "$BASE"; then
  echo "build-bases: reusing $BASE ($(size_mb "$BASE") MB)"
else
  if ! command -v debootstrap >/dev/null 2>&1; then
    echo "build-bases: installing debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  t=$(now_s)
  echo "build-bases: debootstrap $suite from $mirror (about a minute)"
  # ca-certificates comes in now so the stand-ins only add the extra bundle on top.
  debootstrap --variant=minbase --include=ca-certificates "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    echo "build-bases: debootstrap failed; last lines of its log:" >&2
    tail -n 30 "$work/debootstrap.log" >&2
    exit 3
  }
  # Keep the image small and deterministic: no apt lists or caches.
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin "$work/rootfs/var/cache/apt/archives/"*.deb
  tar -C "$work/rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$BASE" >/dev/null
  rm -rf "$work/rootfs"
  echo "build-bases: built $BASE in $(elapsed "$t") s ($(size_mb "$BASE") MB)"
fi

# --- 3: stand-ins ---------------------------------------------------------------------------------
# Shared preamble: the extra CA (may be empty) goes into the trust store before anything uses TLS.
mkdir -p "$work/ctx"
if [[ -n $ca_bundle ]]; then
  cp "$ca_bundle" "$work/ctx/extra-ca.crt"
  echo "build-bases: adding $ca_bundle to the stand-ins' trust store"
else
  : >"$work/ctx/extra-ca.crt"
fi

build_standin() {
  local tag=$1 recipe=$2
  if [[ $force -eq 0 ]] && have_image "$tag"; then
    echo "build-bases: reusing $tag ($(size_mb "$tag") MB)"
    return
  fi
  local t
  t=$(now_s)
  cp "$root/$recipe" "$work/ctx/Dockerfile"
  if ! docker build --network host --label io.httpbench.base=1 --build-arg "DEBIAN_BASE=$BASE" -t "$tag" "$work/ctx" >"$work/build.log" 2>&1; then
    echo "build-bases: building $tag from $recipe failed; last lines:" >&2
    tail -n 30 "$work/build.log" >&2
    exit 3
  fi
  echo "build-bases: built $tag from $recipe in $(elapsed "$t") s ($(size_mb "$tag") MB)"
}

# Each recipe starts FROM ${DEBIAN_BASE} and COPYs extra-ca.crt (possibly empty) into the trust store.
images=()
while IFS=$'\t' read -r image _official recipe; do
  [[ -n $image ]] || continue
  build_standin "$image" "$recipe"
  images+=("$image")
done <<<"$standins"

# The database of `store: postgres` (not a target's base, so not from a manifest): its recipe file.
build_standin "$PG" docker/bases/postgres-17.Dockerfile

echo "build-bases: done in $(elapsed "$total_start") s"
for img in "$BASE" "${images[@]}" "$PG"; do
  echo "  $img $(docker image inspect --format '{{.Size}}' "$img") bytes"
done
