#!/usr/bin/env bash
# CI: make Docker usable and both target images present, with no container registry needed.
#   1. scripts/docker-up.sh      start (or install) the engine
#   2. scripts/build-bases.sh    stand-in base images (reused when present)
#   3. build both target images  (scripts/build-targets.ts until `httpbench build` exists)
# Behind a TLS-intercepting proxy (the host trusts extra CAs in /usr/local/share/ca-certificates), the
# host bundle is handed to the builder stages as the extra CA; EXTRA_CA=FILE overrides, EXTRA_CA= disables.
# Idempotent; runs unattended as root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

start=$(date +%s)
scripts/docker-up.sh
scripts/build-bases.sh

if [[ -z ${EXTRA_CA+set} ]]; then
  EXTRA_CA=""
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    EXTRA_CA=/etc/ssl/certs/ca-certificates.crt
  fi
fi
args=()
[[ -n $EXTRA_CA ]] && args+=(--extra-ca "$EXTRA_CA")
npx tsx scripts/build-targets.ts "${args[@]}"
echo "ci-docker-setup: ready in $(( $(date +%s) - start )) s"
