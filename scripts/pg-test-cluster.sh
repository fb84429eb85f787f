#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the targets' own tests: initdb in a temp dir, 127.0.0.1 on a free
# port, password (scram) auth over TCP, started and stopped with pg_ctl from Debian's `postgresql`
# package (apt-get install -y postgresql). Postgres refuses to run as root, so as root the server runs
# as the `postgres` user the package creates.
#
#   scripts/pg-test-cluster.sh start   prints shell assignments to eval:
#                                      PG_TEST_DIR, PG_TEST_PORT, HTTPBENCH_TEST_DATABASE_URL
#   scripts/pg-test-cluster.sh stop DIR   stops the cluster and removes DIR
set -euo pipefail

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ -z $dir || ! -x $dir/initdb ]]; then
    echo "pg-test-cluster: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin; install them: apt-get install -y postgresql" >&2
    exit 2
  fi
  echo "$dir"
}

# Runs a server-side command as a non-root user.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local bin dir port password
  bin=$(pg_bin)
  dir=$(mktemp -d /tmp/httpbench-pg.XXXXXX)
  # A failed start leaves nothing behind: no server, no directory.
  trap 'stop "$dir"' ERR
  trap 'stop "$dir"; exit 130' INT TERM
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" >"$dir/pwfile"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir/pwfile"
  as_pg "$bin/initdb" -D "$dir/data" -U httpbench --pwfile="$dir/pwfile" --auth-host=scram-sha-256 \
    --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2; stop "$dir"; exit 1; }
  rm -f "$dir/pwfile"
  port=$(free_port)
  # fsync off: test data is thrown away, and it keeps the suites fast on a shared disk.
  if ! as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60" start >/dev/null; then
    cat "$dir/server.log" >&2
    stop "$dir"
    exit 1
  fi
  as_pg "$bin/createdb" -h "$dir" -p "$port" -U httpbench httpbench
  trap - ERR INT TERM
  echo "PG_TEST_DIR=$dir"
  echo "PG_TEST_PORT=$port"
  echo "HTTPBENCH_TEST_DATABASE_URL=postgresql://httpbench:$password@127.0.0.1:$port/httpbench"
}

stop() {
  local dir=$1 bin
  [[ $dir == /tmp/httpbench-pg.* && -d $dir ]] || { echo "pg-test-cluster: not a test cluster dir: $dir" >&2; exit 2; }
  bin=$(pg_bin)
  if [[ -f $dir/data/postmaster.pid ]]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?usage: pg-test-cluster.sh stop DIR}" ;;
  *) echo "usage: pg-test-cluster.sh start | stop DIR" >&2; exit 2 ;;
esac
