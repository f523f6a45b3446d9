#!/usr/bin/env bash
# A three-node Docker Swarm on this one machine, for the lab's swarm tests and benchmark:
#   the local Docker engine is the manager, and two more Docker engines, each in a network namespace
#   of its own (lab-sw1, lab-sw2), join it as workers. The three are test hosts on 10.213.0.0/24, a
#   range this script owns: the manager at 10.213.0.1 (a bridge, lab-swbr0), the workers at .2 and .3.
#   Nodes are labelled lab.zone=a (manager), b and c (workers), so a topology's zones pick nodes.
#
#   bash scripts/test-swarm.sh up     make it (idempotent); prints LAB_SWARM_NODES for the lab
#   bash scripts/test-swarm.sh down   remove it: no swarm, namespace, veth, bridge or engine left
#   bash scripts/test-swarm.sh env    print LAB_SWARM_NODES of the swarm it made
#
# It never joins an engine that is in a swarm already (it says so and stops), and `down` leaves the
# local engine's swarm only when `up` made it. `up` marks the swarm it makes twice: a file under
# $STATE, and the label lab.test-swarm=made on the manager's node, which lives in the swarm's own
# state and so outlives a reboot that empties /run (the engine comes back still a manager).
# Needs root, iproute2, nsenter/unshare (util-linux).
set -euo pipefail

STATE=${LAB_SWARM_STATE:-/run/lab-swarm}
BR=lab-swbr0
NET=10.213.0
WORKERS=(1 2)
ZONES=(a b c) # the manager's, then each worker's
say() { printf '[test-swarm] %s\n' "$*" >&2; }
die() { printf '[test-swarm] %s\n' "$*" >&2; exit 1; }
sock() { echo "unix://$STATE/sw$1/docker.sock"; }
wdocker() { local i=$1; shift; docker -H "$(sock "$i")" "$@"; }

# Whether the local engine's swarm is one this script made (its marker, or its label on the node).
made_here() {
  [ -e "$STATE/made-swarm" ] && return 0
  [ "$(docker node inspect self --format '{{index .Spec.Labels "lab.test-swarm"}}' 2>/dev/null)" = made ]
}

nodes_env() {
  local out=()
  for i in "${WORKERS[@]}"; do out+=("lab-sw$i=$(sock "$i")"); done
  (IFS=,; echo "LAB_SWARM_NODES=${out[*]}")
}

start_worker() {
  local i=$1 ns=lab-sw$1 dir=$STATE/sw$1
  mkdir -p "$dir"
  if [ -S "$dir/docker.sock" ] && wdocker "$i" info >/dev/null 2>&1; then return; fi
  ip netns list | grep -qw "$ns" || ip netns add "$ns"
  if ! ip link show "$ns-h" >/dev/null 2>&1; then
    ip link add "$ns-h" type veth peer name "$ns-n"
    ip link set "$ns-n" netns "$ns"
    ip link set "$ns-h" master "$BR" up
  fi
  ip -n "$ns" link set lo up
  ip -n "$ns" addr replace "$NET.$((i + 1))/24" dev "$ns-n"
  ip -n "$ns" link set "$ns-n" up
  ip -n "$ns" route replace default via "$NET.1"
  # nsenter --net, not `ip netns exec` (which remounts /sys, and dockerd then finds no devices
  # cgroup); its own UTS namespace so that the node has its own hostname in the swarm.
  nsenter --net="/var/run/netns/$ns" unshare --uts -- sh -c "hostname $ns; exec dockerd \
      --data-root '$dir/data' --exec-root '$dir/exec' --pidfile '$dir/docker.pid' -H '$(sock "$i")' \
      --containerd-namespace '$ns' --containerd-plugins-namespace '$ns-plugins' \
      --bridge none --iptables=false --ip-masq=false" >"$dir/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do wdocker "$i" info >/dev/null 2>&1 && return; sleep 0.5; done
  die "the engine in $ns did not start; see $dir/dockerd.log"
}

up() {
  [ "$(id -u)" = 0 ] || die "run as root (it makes network namespaces and Docker engines)"
  docker info >/dev/null 2>&1 || die "the local Docker engine is not answering: bash scripts/setup.sh starts it"
  mkdir -p "$STATE"
  local state
  state=$(docker info --format '{{.Swarm.LocalNodeState}}')
  if [ "$state" != inactive ] && ! made_here; then
    die "the local engine is already in a swarm ($state) that this script did not make; it will not touch it"
  fi
  if [ "$state" != inactive ] && [ ! -e "$STATE/env" ]; then
    # A swarm this script made, whose workers are gone (a reboot, a killed run): start afresh.
    say "a swarm this script made is left from an earlier run: removing it first"
    down
    mkdir -p "$STATE"
    state=$(docker info --format '{{.Swarm.LocalNodeState}}')
  fi
  if ! ip link show "$BR" >/dev/null 2>&1; then
    ip link add "$BR" type bridge
    ip addr add "$NET.1/24" dev "$BR"
    ip link set "$BR" up
  fi
  sysctl -qw net.ipv4.ip_forward=1
  # The workers reach each other across the bridge; Docker's FORWARD policy (DROP, with bridged
  # traffic going through iptables) would drop that: let the bridge's own traffic through.
  iptables -C DOCKER-USER -i "$BR" -o "$BR" -j ACCEPT 2>/dev/null || iptables -I DOCKER-USER -i "$BR" -o "$BR" -j ACCEPT
  for i in "${WORKERS[@]}"; do start_worker "$i"; done
  if [ "$state" = inactive ]; then
    # swarm init makes docker_gwbridge when there is none: down removes it again, then.
    local gw=kept
    docker network inspect docker_gwbridge >/dev/null 2>&1 || { touch "$STATE/made-gwbridge"; gw=made; }
    say "docker swarm init on the local engine ($NET.1)"
    # Marked before the init: a kill between the two would otherwise leave a swarm that down does not
    # know it made (the engine was in none, so down's leave can only undo this init).
    touch "$STATE/made-swarm"
    docker swarm init --advertise-addr "$NET.1" --listen-addr "$NET.1:2377" --data-path-addr "$NET.1" >/dev/null
    docker node update --label-add lab.test-swarm=made --label-add "lab.test-swarm.gwbridge=$gw" "$(docker info --format '{{.Swarm.NodeID}}')" >/dev/null
  fi
  local token
  token=$(docker swarm join-token -q worker)
  for i in "${WORKERS[@]}"; do
    if [ "$(wdocker "$i" info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
      say "lab-sw$i joins as a worker ($NET.$((i + 1)))"
      wdocker "$i" swarm join --token "$token" --advertise-addr "$NET.$((i + 1))" --data-path-addr "$NET.$((i + 1))" "$NET.1:2377" >/dev/null
    fi
  done
  local manager
  manager=$(docker info --format '{{.Swarm.NodeID}}')
  docker node update --label-add "lab.zone=${ZONES[0]}" "$manager" >/dev/null
  for i in "${WORKERS[@]}"; do
    local id=""
    for _ in $(seq 1 40); do
      id=$(docker node ls --filter "name=lab-sw$i" --filter role=worker -q | head -1)
      [ -n "$id" ] && [ "$(docker node inspect -f '{{.Status.State}}' "$id")" = ready ] && break
      sleep 0.5
    done
    [ -n "$id" ] || die "lab-sw$i did not show up as a ready node"
    docker node update --label-add "lab.zone=${ZONES[$i]}" "$id" >/dev/null
  done
  nodes_env | tee "$STATE/env"
}

down() {
  for i in "${WORKERS[@]}"; do
    local ns=lab-sw$i dir=$STATE/sw$i
    if [ -S "$dir/docker.sock" ]; then
      wdocker "$i" swarm leave --force >/dev/null 2>&1 || true
      local pid
      pid=$(cat "$dir/docker.pid" 2>/dev/null || true)
      if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -9 "$pid" 2>/dev/null || true
      fi
    fi
    # What the engine mounted under its folders, then the folders.
    if [ -d "$dir" ]; then
      { grep " $dir/" /proc/mounts || true; } | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
      rm -rf "$dir"
    fi
    if ip netns list | grep -qw "$ns"; then ip netns del "$ns"; fi
    if ip link show "$ns-h" >/dev/null 2>&1; then ip link del "$ns-h"; fi
  done
  local gw_made=no
  [ -e "$STATE/made-gwbridge" ] && gw_made=yes
  [ "$(docker node inspect self --format '{{index .Spec.Labels "lab.test-swarm.gwbridge"}}' 2>/dev/null)" = made ] && gw_made=yes
  if made_here; then
    for i in "${WORKERS[@]}"; do
      docker node ls --filter "name=lab-sw$i" -q 2>/dev/null | xargs -r docker node rm --force >/dev/null 2>&1 || true
    done
    docker swarm leave --force >/dev/null 2>&1 || true
    rm -f "$STATE/made-swarm"
  fi
  if [ "$gw_made" = yes ]; then
    docker network rm docker_gwbridge >/dev/null 2>&1 || true
    rm -f "$STATE/made-gwbridge"
  fi
  iptables -D DOCKER-USER -i "$BR" -o "$BR" -j ACCEPT 2>/dev/null || true
  if ip link show "$BR" >/dev/null 2>&1; then ip link del "$BR"; fi
  rm -f "$STATE/env"
  rmdir "$STATE" 2>/dev/null || true
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) [ -e "$STATE/env" ] && cat "$STATE/env" || die "no swarm made by this script (bash scripts/test-swarm.sh up)" ;;
  *) die "usage: bash scripts/test-swarm.sh up|down|env" ;;
esac
