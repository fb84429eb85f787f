#!/usr/bin/env bash
# A second machine inside this one, for the two-host test: two network namespaces joined by a veth
# pair (198.18.0.0/15, the range RFC 2544 reserves for benchmarking), no default route in either, and
# a second dockerd in the target namespace with its own data-root, exec-root, socket and API on
# tcp://198.18.0.2:2375, and Debian's sshd on 198.18.0.2:22 for ssh://hbrig@198.18.0.2 (a throwaway key
# pair made here, removed by `down`, never in the repository). The stand-in base images are copied
# into it from the main engine (it cannot pull). Run the harness inside the load namespace: `ip netns exec hb-load …` — from the root
# namespace 198.18.0.0/15 routes to the real network, so nothing is ever sent there from here.
#
#   scripts/two-host-rig.sh up     # idempotent; prints the engine and address
#   scripts/two-host-rig.sh down   # removes dockerd, namespaces and data dirs
#   scripts/two-host-rig.sh status
#
# Needs root, iproute2 (ip), util-linux (nsenter), docker.io (dockerd), openssh-server (sshd) and a
# running main engine.
set -euo pipefail
# shellcheck source=rig-lib.sh
source "$(dirname "$0")/rig-lib.sh"

TARGET_NS=${HB_TARGET_NS:-hb-target}
LOAD_NS=${HB_LOAD_NS:-hb-load}
LOAD_IF=hb-veth-load
TARGET_IF=hb-veth-target
LOAD_ADDR=198.18.0.1
TARGET_ADDR=198.18.0.2
PREFIX=30
RUN_DIR=/run/hb-target
DATA_DIR=/var/lib/hb-target
SOCK=$RUN_DIR/docker.sock
PIDFILE=$RUN_DIR/dockerd.pid
LOG=$RUN_DIR/dockerd.log
TCP=tcp://$TARGET_ADDR:2375
# Registry access for image builds on the target engine (see scripts/rig-proxy.py).
PROXY_PORT=3128
PROXY_SOCK=$RUN_DIR/proxy.sock
PROXY_PIDS=$RUN_DIR/proxy.pids
RIG_PY=$(cd "$(dirname "$0")" && pwd)/rig-proxy.py
# The ssh engine: sshd in the target namespace, for a user that exists for that sshd only (a private
# /etc/passwd in its own mount namespace: this machine's accounts are untouched), in the docker group,
# whose sessions reach the target engine (SetEnv DOCKER_HOST): `docker system dial-stdio` there is
# what dockerode's ssh transport runs.
SSH_DIR=$RUN_DIR/ssh
SSH_USER=hbrig
SSH_UID=64999
SSH_KEY=$SSH_DIR/id_ed25519
SSH_KNOWN_HOSTS=$SSH_DIR/known_hosts
SSHD_PIDFILE=$SSH_DIR/sshd.pid

say() { echo "two-host-rig: $*"; }
die() { echo "two-host-rig: $*" >&2; exit 3; }

target_docker() { docker -H "unix://$SOCK" "$@"; }

# A process that exists and is not a zombie: a daemon killed with SIGKILL whose parent is gone may
# never be reaped (no reaping init in some containers), and `kill -0` still succeeds on it.
pid_alive() {
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

dockerd_running() {
  [ -f "$PIDFILE" ] && pid_alive "$(cat "$PIDFILE")"
}

# The route check the brief demands before any traffic: from the load namespace, the target address
# must go out through our veth, nowhere else.
check_route() {
  local route
  route=$(ip netns exec "$LOAD_NS" ip route get "$TARGET_ADDR" 2>&1) || die "no route to $TARGET_ADDR in $LOAD_NS: $route"
  case "$route" in
    *"dev $LOAD_IF "*) ;;
    *) die "route to $TARGET_ADDR in $LOAD_NS is not via $LOAD_IF: $route" ;;
  esac
  if ip netns exec "$LOAD_NS" ip route show default | grep -q .; then die "$LOAD_NS has a default route; refusing"; fi
  if ip netns exec "$TARGET_NS" ip route show default | grep -q .; then die "$TARGET_NS has a default route; refusing"; fi
}

up_network() {
  for ns in "$TARGET_NS" "$LOAD_NS"; do
    ip netns list | grep -qw "^$ns" || ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  if ! ip -n "$LOAD_NS" link show "$LOAD_IF" >/dev/null 2>&1; then
    # A half-made pair (an interrupted `up`) would block the add: clear it first.
    ip link del "$LOAD_IF" 2>/dev/null || true
    ip -n "$TARGET_NS" link del "$TARGET_IF" 2>/dev/null || true
    ip link add "$LOAD_IF" type veth peer name "$TARGET_IF"
    ip link set "$LOAD_IF" netns "$LOAD_NS"
    ip link set "$TARGET_IF" netns "$TARGET_NS"
  fi
  ip -n "$LOAD_NS" addr replace "$LOAD_ADDR/$PREFIX" dev "$LOAD_IF"
  ip -n "$TARGET_NS" addr replace "$TARGET_ADDR/$PREFIX" dev "$TARGET_IF"
  ip -n "$LOAD_NS" link set "$LOAD_IF" up
  ip -n "$TARGET_NS" link set "$TARGET_IF" up
  check_route
}

up_dockerd() {
  if dockerd_running && target_docker info >/dev/null 2>&1; then
    say "dockerd already running in $TARGET_NS (pid $(cat "$PIDFILE"))"
    return
  fi
  mkdir -p "$RUN_DIR" "$DATA_DIR/data" "$DATA_DIR/exec"
  # A dockerd that was killed leaves its pid file; dockerd refuses to start while the pid in it exists
  # (a zombie counts), so a file whose process is gone or a zombie is stale.
  if [ -f "$PIDFILE" ] && ! dockerd_running; then rm -f "$PIDFILE"; fi
  # nsenter, not `ip netns exec`: the latter remounts /sys and dockerd then fails with
  # "Devices cgroup isn't mounted". Only the network namespace changes; the tcp API listens on the
  # veth address only, which nothing outside the two namespaces can reach.
  # Docker 20.10 derives the engine ID from /etc/docker/key.json, which both engines would share: a
  # private /etc/docker (own mount namespace, tmpfs) gives the second engine its own key, so the
  # harness sees another machine (it refuses "this machine by another name" by that ID).
  nsenter --net="/var/run/netns/$TARGET_NS" \
    unshare --mount --propagation private sh -c 'mount -t tmpfs -o size=1m tmpfs /etc/docker && exec "$@"' rig-dockerd \
    dockerd --data-root "$DATA_DIR/data" --exec-root "$DATA_DIR/exec" --pidfile "$PIDFILE" \
    -H "unix://$SOCK" -H "$TCP" --bridge none --iptables=false --ip6tables=false \
    >"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    if target_docker info >/dev/null 2>&1; then
      say "dockerd up in $TARGET_NS (pid $(cat "$PIDFILE"))"
      return
    fi
    sleep 1
  done
  tail -n 20 "$LOG" >&2 || true
  die "dockerd in $TARGET_NS did not answer within 60 s (log: $LOG)"
}

# The target engine has no registry: copy the stand-in bases (scripts/build-bases.sh) across.
load_bases() {
  local image
  for image in httpbench-base/python:3.13-slim httpbench-base/golang:1.24; do
    if target_docker image inspect "$image" >/dev/null 2>&1; then continue; fi
    if ! docker image inspect "$image" >/dev/null 2>&1; then
      say "warning: $image is not on the main engine (run scripts/build-bases.sh); the harness will say what is missing"
      continue
    fi
    say "copying $image to the target engine"
    docker save "$image" | target_docker load -q
  done
}

up_proxy() {
  if [ -f "$PROXY_PIDS" ] && xargs kill -0 <"$PROXY_PIDS" 2>/dev/null; then return; fi
  rm -f "$PROXY_SOCK"
  python3 "$RIG_PY" proxy "$PROXY_SOCK" >"$RUN_DIR/proxy.log" 2>&1 </dev/null &
  echo $! >"$PROXY_PIDS"
  nsenter --net="/var/run/netns/$TARGET_NS" python3 "$RIG_PY" pipe "$PROXY_PORT" "$PROXY_SOCK" >>"$RUN_DIR/proxy.log" 2>&1 </dev/null &
  echo $! >>"$PROXY_PIDS"
  say "build proxy: http://127.0.0.1:$PROXY_PORT inside $TARGET_NS (pass --build-proxy http://127.0.0.1:$PROXY_PORT)"
}

sshd_running() {
  [ -f "$SSHD_PIDFILE" ] && pid_alive "$(cat "$SSHD_PIDFILE")"
}

up_sshd() {
  if sshd_running; then return; fi
  [ -x /usr/sbin/sshd ] || die "needs openssh-server (apt-get install -y openssh-server)"
  command -v ssh-keygen >/dev/null || die "needs ssh-keygen (apt-get install -y openssh-client)"
  local gid
  gid=$(getent group docker | cut -d: -f3) || die "no docker group (docker.io makes it)"
  if getent passwd "$SSH_UID" >/dev/null; then die "uid $SSH_UID is taken on this machine; the rig user needs it"; fi
  mkdir -p "$SSH_DIR/home" /run/sshd
  chmod 755 "$RUN_DIR" "$SSH_DIR"
  chown "$SSH_UID:$gid" "$SSH_DIR/home"
  # Throwaway keys, made here and removed by `down`: the host's, and the one the harness logs in with.
  [ -f "$SSH_DIR/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C hb-rig-host -f "$SSH_DIR/host_ed25519"
  [ -f "$SSH_KEY" ] || ssh-keygen -q -t ed25519 -N '' -C hb-rig-client -f "$SSH_KEY"
  install -m 644 "$SSH_KEY.pub" "$SSH_DIR/authorized_keys"
  echo "$TARGET_ADDR $(cut -d' ' -f1,2 "$SSH_DIR/host_ed25519.pub")" >"$SSH_KNOWN_HOSTS"
  { cat /etc/passwd; echo "$SSH_USER:x:$SSH_UID:$gid:httpbench two-host rig:$SSH_DIR/home:/bin/sh"; } >"$SSH_DIR/passwd"
  printf '%s\n' \
    "ListenAddress $TARGET_ADDR:22" \
    "HostKey $SSH_DIR/host_ed25519" \
    "PidFile none" \
    "AuthorizedKeysFile $SSH_DIR/authorized_keys" \
    "AllowUsers $SSH_USER" \
    "PermitRootLogin no" \
    "PasswordAuthentication no" \
    "KbdInteractiveAuthentication no" \
    "UsePAM no" \
    "X11Forwarding no" \
    "AllowTcpForwarding no" \
    "SetEnv DOCKER_HOST=unix://$SOCK" \
    "MaxStartups 64:30:128" >"$SSH_DIR/sshd_config"
  # (MaxStartups: docker-modem opens one ssh connection per Docker API call, so handshakes come in bursts.)
  /usr/sbin/sshd -t -f "$SSH_DIR/sshd_config" || die "sshd rejects $SSH_DIR/sshd_config"
  # -D: no daemonising, so $! is sshd itself (nsenter, unshare and sh all exec) and `down` ends it by pid.
  nsenter --net="/var/run/netns/$TARGET_NS" \
    unshare --mount --propagation private sh -c 'mount --bind "$1" /etc/passwd && shift && exec "$@"' rig-sshd "$SSH_DIR/passwd" \
    /usr/sbin/sshd -D -f "$SSH_DIR/sshd_config" -E "$SSH_DIR/sshd.log" \
    >/dev/null 2>&1 </dev/null &
  echo $! >"$SSHD_PIDFILE"
  # Listening is checked inside the namespace (ss): nothing is sent to the address from here.
  for _ in $(seq 1 50); do
    if ip netns exec "$TARGET_NS" ss -Hltn "sport = :22" | grep -q .; then
      say "sshd up in $TARGET_NS (pid $(cat "$SSHD_PIDFILE")): ssh://$SSH_USER@$TARGET_ADDR"
      return
    fi
    sshd_running || break
    sleep 0.2
  done
  tail -n 20 "$SSH_DIR/sshd.log" >&2 || true
  die "sshd in $TARGET_NS did not listen on $TARGET_ADDR:22 within 10 s"
}

# A process and everything it started (sshd forks a child per connection), by pid.
kill_tree() {
  local child
  for child in $(pgrep -P "$1" || true); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}

up() {
  require_rig_tools
  up_network
  up_dockerd
  up_sshd
  up_proxy
  load_bases
  check_route
  say "ready: engine $TCP or ssh://$SSH_USER@$TARGET_ADDR (with HTTPBENCH_SSH_KEY=$SSH_KEY HTTPBENCH_SSH_KNOWN_HOSTS=$SSH_KNOWN_HOSTS), unix://$SOCK from here; target address $TARGET_ADDR; run the harness with: ip netns exec $LOAD_NS …"
}

down() {
  # sshd first: its sessions are clients of the engine.
  if sshd_running; then kill_tree "$(cat "$SSHD_PIDFILE")"; fi
  if [ -S "$SOCK" ]; then
    # Containers first, so no shim outlives the engine.
    ids=$(target_docker ps -aq 2>/dev/null || true)
    if [ -n "$ids" ]; then target_docker rm -f $ids >/dev/null 2>&1 || true; fi
  fi
  if dockerd_running; then
    pid=$(cat "$PIDFILE")
    kill "$pid"
    for _ in $(seq 1 30); do pid_alive "$pid" || break; sleep 0.5; done
    if pid_alive "$pid"; then kill -9 "$pid"; fi
  fi
  if [ -f "$PROXY_PIDS" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$PROXY_PIDS"
  fi
  # The engine's own containerd lives under our exec-root; make sure it went with dockerd.
  for pid in $(pgrep -f "containerd --config $DATA_DIR/exec/" || true); do kill "$pid" 2>/dev/null || true; done
  ip netns del "$LOAD_NS" 2>/dev/null || true
  ip netns del "$TARGET_NS" 2>/dev/null || true
  remove_rig_dirs "$DATA_DIR" "$RUN_DIR"
  say "down"
}

status() {
  ip netns list | grep -E "^($TARGET_NS|$LOAD_NS)\b" || echo "no namespaces"
  if dockerd_running; then echo "dockerd pid $(cat "$PIDFILE")"; else echo "dockerd not running"; fi
  if sshd_running; then echo "sshd pid $(cat "$SSHD_PIDFILE")"; else echo "sshd not running"; fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
