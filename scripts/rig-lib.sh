# Shared by the namespace rigs (two-host-rig.sh, swarm-rig.sh); sourced, not run.

# Removes a rig's data and run directories. The mounts dockerd left under them (overlay, netns bind
# mounts) go first, deepest first, or rm would fail on busy mount points.
remove_rig_dirs() {
  for dir in "$@"; do
    if [ -d "$dir" ]; then
      { grep -o " $dir[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
      rm -rf "$dir"
    fi
  done
}

# What every rig needs before it makes anything: root, iproute2, nsenter and dockerd.
require_rig_tools() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, dockerd)"
  command -v ip >/dev/null || die "needs iproute2 (apt-get install iproute2)"
  command -v nsenter >/dev/null || die "needs util-linux (nsenter)"
  command -v dockerd >/dev/null || die "needs dockerd (apt-get install docker.io)"
}
