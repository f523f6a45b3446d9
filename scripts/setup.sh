#!/usr/bin/env bash
# Installs what the lab needs on Debian/Ubuntu (as root), starts dockerd when no engine answers,
# then installs npm packages and builds. Idempotent: quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lab}
mkdir -p "$CACHE"
say() { printf '[setup] %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Debian packages: Docker engine, etcd server and client, HAProxy, Compose (the benchmark's yardstick).
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v dig >/dev/null 2>&1 || need+=(dnsutils)
command -v ss >/dev/null 2>&1 || need+=(iproute2)
# Yardsticks for `npm run bench`: h2load, and a gRPC C-core client (Debian's python3-grpcio).
command -v h2load >/dev/null 2>&1 || need+=(nghttp2-client)
command -v tmux >/dev/null 2>&1 || need+=(tmux)   # the view tests drive a real terminal
/usr/bin/python3 -c 'import grpc' >/dev/null 2>&1 || need+=(python3-grpcio)
# Clients the lab does not drive (examples/clients/): grpc-go, built offline from Debian's sources.
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -d /usr/share/gocode/src/google.golang.org/grpc ] || need+=(golang-google-grpc-dev)
# report.html's test opens it in a real browser: playwright-core drives Debian's chromium.
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >/dev/null
  as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >"$CACHE/apt.log" 2>&1 || { cat "$CACHE/apt.log" >&2; exit 1; }
fi

# 2. Consul: Debian bullseye's package, unpacked into the cache, never installed system-wide.
CONSUL="$CACHE/consul/usr/bin/consul"
if [ ! -x "$CONSUL" ]; then
  say "fetching consul from Debian bullseye into $CACHE/consul"
  tmp=$(mktemp -d)
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || { echo "setup: cannot find a Debian archive URI in /etc/apt" >&2; exit 1; }
  echo "deb $uri bullseye main" > "$tmp/bullseye.list"
  mkdir -p "$tmp/lists/partial"
  opts=(-o "Dir::Etc::SourceList=$tmp/bullseye.list" -o "Dir::Etc::SourceParts=-" -o "Dir::State::Lists=$tmp/lists")
  apt-get "${opts[@]}" update -qq >/dev/null 2>&1
  (cd "$tmp" && apt-get "${opts[@]}" download consul >/dev/null 2>&1)
  dpkg-deb -x "$tmp"/consul_*.deb "$CACHE/consul"
  rm -rf "$tmp"
fi

# 3. A Docker engine that answers (no systemd here: background dockerd and wait for its socket).
if ! docker info >/dev/null 2>&1; then
  say "starting dockerd (log: $CACHE/dockerd.log)"
  (as_root nohup dockerd >"$CACHE/dockerd.log" 2>&1 &)
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "setup: dockerd did not start; see $CACHE/dockerd.log" >&2; exit 1; }
fi

# 4. npm packages and the build.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
npm run -s build

# 5. The grpc-go example client (scenarios/your-client-go*.yaml run it) and the example servers
#    (examples/servers/go and python, servers of yours in the lab): built once, offline (the
#    Python one is an image assembled from this machine's python3 and python3-grpcio).
[ -x examples/clients/go/bin/echo_client ] || say "building the grpc-go example (examples/clients/go)"
sh examples/clients/go/run.sh --build
sh examples/servers/go/build.sh
sh examples/servers/python/build.sh
