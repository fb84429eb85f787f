#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info`: install Debian's docker.io when the daemon is
# missing, start dockerd in the background when it is not running, and wait for it.
# Used by .ci/run and by anyone on a fresh Debian/Ubuntu machine. Idempotent.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  echo "docker-up: engine already running ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "docker-up: no dockerd and no apt-get: install a Docker engine for your OS, then retry." >&2
    exit 3
  fi
  echo "docker-up: installing Debian's docker.io package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

log=${DOCKERD_LOG:-/tmp/httpbench-dockerd.log}
echo "docker-up: starting dockerd (log: $log)"
nohup dockerd >"$log" 2>&1 &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "docker-up: engine ready ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 1
done
echo "docker-up: dockerd did not answer within 60 s; last lines of $log:" >&2
tail -n 20 "$log" >&2 || true
exit 3
