#!/usr/bin/env bash
# Several load machines inside this one, for the generator-cluster test (README "Several load
# machines"): four network namespaces on 198.18.2.0/24 (RFC 2544's benchmarking range), no default
# route in any, joined by a bridge in the load namespace:
#
#   hb-sw-load   198.18.2.1  the bridge; run the harness (the orchestrator) here: ip netns exec hb-sw-load …
#   hb-sw-gen1   198.18.2.2  dockerd, swarm manager (API tcp://198.18.2.2:2375), generator node
#   hb-sw-gen2   198.18.2.3  dockerd, swarm worker, generator node
#   hb-sw-target 198.18.2.4  dockerd (API tcp://198.18.2.4:2375, not in the swarm): the targets' engine;
#                            `up` starts the Go/chi target there on 198.18.2.4:8000 (host network)
#
# The generator image (docker/generator.Dockerfile) is built on the main engine and loaded into both
# generator engines (no registry: save → load); the Go/chi image and the calibration image are
# copied to the target engine. Every dockerd has its own data and exec roots and a private
# /etc/docker (its own engine key), entered with nsenter --net (`ip netns exec` remounts /sys, which
# breaks dockerd).
#
#   scripts/swarm-rig.sh up [--image-tag T]   # idempotent
#   scripts/swarm-rig.sh down                 # services, containers, dockerds, namespaces, data dirs
#   scripts/swarm-rig.sh status
#   scripts/swarm-rig.sh kill-node gen2       # SIGKILL everything in that node's namespace (a lost machine)
#
# Needs root, iproute2, util-linux (nsenter, unshare), docker.io, and the main engine with
# httpbench/go-chi (httpbench build go-chi) and the node base or its stand-in.
set -euo pipefail
# shellcheck source=rig-lib.sh
source "$(dirname "$0")/rig-lib.sh"

NET=198.18.2
LOAD_NS=hb-sw-load
BRIDGE=hb-sw-br
RUN_DIR=/run/hb-swarm
DATA_DIR=/var/lib/hb-swarm
NODES=(gen1 gen2 target)
declare -A ADDR=([gen1]=$NET.2 [gen2]=$NET.3 [target]=$NET.4)
IMAGE_TAG=${HB_SWARM_IMAGE_TAG:-swarm-rig}
TARGET_PORT=8000
ROOT=$(cd "$(dirname "$0")/.." && pwd)

say() { echo "swarm-rig: $*"; }
die() { echo "swarm-rig: $*" >&2; exit 3; }
ns() { echo "hb-sw-$1"; }
sock() { echo "$RUN_DIR/$1/docker.sock"; }
dk() { local n=$1; shift; docker -H "unix://$(sock "$n")" "$@"; }

pid_alive() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
dockerd_running() { [ -f "$RUN_DIR/$1/dockerd.pid" ] && pid_alive "$(cat "$RUN_DIR/$1/dockerd.pid")"; }

# Before any traffic: from the load namespace every node address goes over the bridge, and no
# namespace of the rig has a default route.
check_routes() {
  local n route
  for n in "${NODES[@]}"; do
    route=$(ip netns exec "$LOAD_NS" ip route get "${ADDR[$n]}" 2>&1) || die "no route to ${ADDR[$n]} in $LOAD_NS: $route"
    case "$route" in *"dev $BRIDGE "*) ;; *) die "route to ${ADDR[$n]} in $LOAD_NS is not via $BRIDGE: $route" ;; esac
  done
  for n in load "${NODES[@]}"; do
    if ip netns exec "$(ns "$n")" ip route show default | grep -q .; then die "$(ns "$n") has a default route; refusing"; fi
  done
}

up_network() {
  local n i=0
  ip netns list | grep -qw "^$LOAD_NS" || ip netns add "$LOAD_NS"
  ip -n "$LOAD_NS" link set lo up
  ip -n "$LOAD_NS" link show "$BRIDGE" >/dev/null 2>&1 || ip -n "$LOAD_NS" link add "$BRIDGE" type bridge
  ip -n "$LOAD_NS" addr replace "$NET.1/24" dev "$BRIDGE"
  ip -n "$LOAD_NS" link set "$BRIDGE" up
  for n in "${NODES[@]}"; do
    i=$((i + 1))
    ip netns list | grep -qw "^$(ns "$n")" || ip netns add "$(ns "$n")"
    ip -n "$(ns "$n")" link set lo up
    if ! ip -n "$(ns "$n")" link show eth0 >/dev/null 2>&1; then
      ip link del "hb-sw-p$i" 2>/dev/null || true
      ip link add "hb-sw-p$i" type veth peer name "hb-sw-n$i"
      ip link set "hb-sw-p$i" netns "$LOAD_NS"
      ip link set "hb-sw-n$i" netns "$(ns "$n")"
      ip -n "$(ns "$n")" link set "hb-sw-n$i" name eth0
      ip -n "$LOAD_NS" link set "hb-sw-p$i" master "$BRIDGE" up
    fi
    ip -n "$(ns "$n")" addr replace "${ADDR[$n]}/24" dev eth0
    ip -n "$(ns "$n")" link set eth0 up
  done
  check_routes
}

up_dockerd() {
  local n=$1 dir=$RUN_DIR/$1
  if dockerd_running "$n" && dk "$n" info >/dev/null 2>&1; then return; fi
  mkdir -p "$dir" "$DATA_DIR/$n/data" "$DATA_DIR/$n/exec"
  if [ -f "$dir/dockerd.pid" ] && ! dockerd_running "$n"; then rm -f "$dir/dockerd.pid"; fi
  nsenter --net="/var/run/netns/$(ns "$n")" \
    unshare --mount --propagation private sh -c 'mount -t tmpfs -o size=1m tmpfs /etc/docker && exec "$@"' "rig-dockerd-$n" \
    dockerd --data-root "$DATA_DIR/$n/data" --exec-root "$DATA_DIR/$n/exec" --pidfile "$dir/dockerd.pid" \
    -H "unix://$(sock "$n")" -H "tcp://${ADDR[$n]}:2375" --bridge none --iptables=false --ip6tables=false \
    >"$dir/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    if dk "$n" info >/dev/null 2>&1; then say "dockerd up in $(ns "$n") (tcp://${ADDR[$n]}:2375)"; return; fi
    sleep 1
  done
  tail -n 20 "$dir/dockerd.log" >&2 || true
  die "dockerd in $(ns "$n") did not answer within 60 s"
}

swarm_state() { dk "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown; }

up_swarm() {
  if [ "$(swarm_state gen1)" != active ]; then
    dk gen1 swarm init --advertise-addr "${ADDR[gen1]}" --listen-addr "${ADDR[gen1]}:2377" >/dev/null
    say "swarm initialised on gen1 (${ADDR[gen1]})"
  fi
  if [ "$(swarm_state gen2)" != active ]; then
    local token
    token=$(dk gen1 swarm join-token -q worker)
    dk gen2 swarm join --token "$token" --advertise-addr "${ADDR[gen2]}" --listen-addr "${ADDR[gen2]}:2377" "${ADDR[gen1]}:2377" >/dev/null
    say "gen2 joined the swarm"
  fi
  for _ in $(seq 1 60); do
    [ "$(dk gen1 node ls --format '{{.Status}}' | grep -c Ready)" -ge 2 ] && return
    sleep 1
  done
  die "the swarm's two nodes are not both Ready within 60 s"
}

copy_image() { # image, node: copied when the node lacks it or has another build of it
  if [ "$(dk "$2" image inspect -f '{{.Id}}' "$1" 2>/dev/null)" = "$(docker image inspect -f '{{.Id}}' "$1" 2>/dev/null)" ]; then return; fi
  docker image inspect "$1" >/dev/null 2>&1 || die "$1 is not on the main engine"
  say "copying $1 to $2"
  docker save "$1" | dk "$2" load -q >/dev/null
}

up_images() {
  local gen=httpbench/generator:$IMAGE_TAG base=httpbench-base/node:20
  # Always (the layer cache makes an unchanged checkout a no-op): the nodes must run this checkout's agent.
  docker image inspect node:20-bookworm-slim >/dev/null 2>&1 && base=node:20-bookworm-slim
  say "building $gen from this checkout on the main engine (base $base)"
  docker build -q -f "$ROOT/docker/generator.Dockerfile" --build-arg "NODE_IMAGE=$base" -t "$gen" "$ROOT" >/dev/null
  copy_image "$gen" gen1
  copy_image "$gen" gen2
  copy_image httpbench/go-chi:latest target
}

up_target() {
  if [ "$(dk target ps -q --filter name=hb-sw-go-chi)" != "" ]; then return; fi
  dk target rm -f hb-sw-go-chi >/dev/null 2>&1 || true
  dk target run -d --name hb-sw-go-chi --network host --cpuset-cpus "$(($(nproc) - 1))" --memory 256m \
    -e HOST="${ADDR[target]}" -e PORT=$TARGET_PORT -e GOMAXPROCS=1 httpbench/go-chi:latest >/dev/null
  for _ in $(seq 1 50); do
    if ip netns exec "$(ns target)" ss -Hltn "sport = :$TARGET_PORT" | grep -q .; then
      say "go-chi target on http://${ADDR[target]}:$TARGET_PORT (engine tcp://${ADDR[target]}:2375)"
      return
    fi
    sleep 0.2
  done
  die "the go-chi target did not listen on ${ADDR[target]}:$TARGET_PORT"
}

up() {
  require_rig_tools
  up_network
  for n in "${NODES[@]}"; do up_dockerd "$n"; done
  up_swarm
  up_images
  up_target
  check_routes
  say "ready: swarm manager tcp://${ADDR[gen1]}:2375 (nodes gen1 ${ADDR[gen1]}, gen2 ${ADDR[gen2]}), image httpbench/generator:$IMAGE_TAG, target http://${ADDR[target]}:$TARGET_PORT; run the harness with: ip netns exec $LOAD_NS …"
}

kill_node() {
  local n=$1 pids
  pids=$(ip netns pids "$(ns "$n")" 2>/dev/null || true)
  if [ -n "$pids" ]; then kill -9 $pids 2>/dev/null || true; fi
  say "killed every process in $(ns "$n")"
}

down() {
  local n pid
  for n in "${NODES[@]}"; do
    if [ -S "$(sock "$n")" ] && dk "$n" info >/dev/null 2>&1; then
      dk "$n" service ls -q 2>/dev/null | xargs -r docker -H "unix://$(sock "$n")" service rm >/dev/null 2>&1 || true
      dk "$n" ps -aq 2>/dev/null | xargs -r docker -H "unix://$(sock "$n")" rm -f >/dev/null 2>&1 || true
    fi
  done
  for n in "${NODES[@]}"; do
    if dockerd_running "$n"; then
      pid=$(cat "$RUN_DIR/$n/dockerd.pid")
      kill "$pid"
      for _ in $(seq 1 30); do pid_alive "$pid" || break; sleep 0.5; done
      if pid_alive "$pid"; then kill -9 "$pid"; fi
    fi
    # Whatever else lives in the namespace (containerd, shims, agents).
    ip netns pids "$(ns "$n")" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  done
  for n in load "${NODES[@]}"; do ip netns del "$(ns "$n")" 2>/dev/null || true; done
  remove_rig_dirs "$DATA_DIR" "$RUN_DIR"
  say "down"
}

status() {
  ip netns list | grep -E "^hb-sw-" || echo "no namespaces"
  for n in "${NODES[@]}"; do
    if dockerd_running "$n"; then echo "$n: dockerd pid $(cat "$RUN_DIR/$n/dockerd.pid"), swarm $(swarm_state "$n")"; else echo "$n: dockerd not running"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  kill-node) kill_node "${2:?node name: gen1, gen2 or target}" ;;
  *) echo "usage: $0 up|down|status|kill-node NODE" >&2; exit 2 ;;
esac
