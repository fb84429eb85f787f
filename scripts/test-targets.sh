#!/usr/bin/env bash
# The targets' own tests, outside Docker: pytest for targets/fastapi (in a venv under /tmp, rebuilt when
# requirements change) and `go test` for targets/go-chi with the local toolchain. Both suites test the
# memory store and the postgres store; the latter against a throwaway PostgreSQL cluster this script
# starts (scripts/pg-test-cluster.sh, needs Debian's `postgresql` package) and removes on exit, unless
# HTTPBENCH_TEST_DATABASE_URL already names a database to use.
# Usage: scripts/test-targets.sh [fastapi|go-chi]...   (default: both)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
which=("$@")
[[ ${#which[@]} -eq 0 ]] && which=(fastapi go-chi)

if [[ -z ${HTTPBENCH_TEST_DATABASE_URL:-} ]]; then
  cluster=$(bash "$root/scripts/pg-test-cluster.sh" start)
  eval "$cluster"
  trap 'bash "$root/scripts/pg-test-cluster.sh" stop "$PG_TEST_DIR"' EXIT
  trap 'exit 130' INT TERM
  echo "test-targets: throwaway PostgreSQL on 127.0.0.1:$PG_TEST_PORT ($PG_TEST_DIR)"
  export HTTPBENCH_TEST_DATABASE_URL
fi

test_fastapi() {
  local python=${PYTHON:-}
  if [[ -z $python ]]; then
    # 3.11 is the oldest Python the pins are checked on; fall back to whatever python3 is.
    python=$(command -v python3.11 || command -v python3)
  fi
  local stamp venv
  stamp=$(cat "$root/targets/fastapi/requirements.txt" "$root/targets/fastapi/requirements-dev.txt" | sha256sum | cut -c1-12)
  venv=/tmp/httpbench-fastapi-venv-$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-$stamp
  if [[ ! -x $venv/bin/pytest ]]; then
    echo "test-targets: creating $venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/targets/fastapi/requirements-dev.txt"
  fi
  echo "test-targets: pytest (targets/fastapi, $("$venv/bin/python" --version))"
  (cd "$root/targets/fastapi" && PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest -q -p no:cacheprovider)
}

test_go_chi() {
  echo "test-targets: go test (targets/go-chi, $(GOTOOLCHAIN=local go version))"
  (cd "$root/targets/go-chi" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go vet ./... && GOTOOLCHAIN=local GOFLAGS=-mod=mod go test -count=1 ./...)
}

for t in "${which[@]}"; do
  case "$t" in
    fastapi) test_fastapi ;;
    go-chi) test_go_chi ;;
    *) echo "test-targets: unknown target $t (fastapi, go-chi)" >&2; exit 2 ;;
  esac
done
