#!/usr/bin/env bash
# The targets' own tests, outside Docker: for every target folder (targets/<name>/target.yaml, listed
# by `httpbench targets --tsv tests`), its manifest's `test.command` runs in its folder — pytest in a
# venv for fastapi, `go test` for go-chi, `node --test` for fastify. Targets whose manifest lists the
# postgres store test it against a throwaway PostgreSQL cluster this script starts
# (scripts/pg-test-cluster.sh, needs Debian's `postgresql` package) and removes on exit, unless
# HTTPBENCH_TEST_DATABASE_URL already names a database to use. Needs `npm ci` (it reads the manifests
# through the harness).
# Usage: scripts/test-targets.sh [name]...   (default: every target)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# name <TAB> folder <TAB> postgres (yes/no) <TAB> tools <TAB> command; exit 2 for an unknown name.
listing=$(node "$root/bin/httpbench.js" targets --tsv tests "$@")

if [[ -z ${HTTPBENCH_TEST_DATABASE_URL:-} ]] && cut -f3 <<<"$listing" | grep -qx yes; then
  cluster=$(bash "$root/scripts/pg-test-cluster.sh" start)
  eval "$cluster"
  trap 'bash "$root/scripts/pg-test-cluster.sh" stop "$PG_TEST_DIR"' EXIT
  trap 'exit 130' INT TERM
  echo "test-targets: throwaway PostgreSQL on 127.0.0.1:$PG_TEST_PORT ($PG_TEST_DIR)"
  export HTTPBENCH_TEST_DATABASE_URL
fi

while IFS=$'\t' read -r name dir _postgres tools command; do
  for tool in ${tools//,/ }; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "test-targets: $name needs $tool on PATH ($dir/target.yaml, test.tools)" >&2
      exit 3
    fi
  done
  echo "test-targets: $name ($dir): $command"
  (cd "$root/$dir" && bash -c "$command")
done <<<"$listing"
