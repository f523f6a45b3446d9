#!/bin/sh
# Runs the grpc-go example client, building it first when needed (offline, against Debian's Go
# sources: golang-go and golang-google-grpc-dev; scripts/setup.sh installs both and builds it).
# Arguments go to the client: --lb round_robin|pick_first, --target T, --rate N (--build: build only).
set -e
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/bin/echo_client"
if [ ! -x "$bin" ] || [ "$here/echo_client/main.go" -nt "$bin" ]; then
  command -v go >/dev/null || { echo "run.sh: no Go toolchain; install golang-go and golang-google-grpc-dev (bash scripts/setup.sh does)" >&2; exit 127; }
  mkdir -p "$here/bin"
  (cd "$here/echo_client" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="${GOCACHE:-$here/bin/.cache}" go build -o "$bin" .)
fi
[ "$1" = "--build" ] && exit 0   # scripts/setup.sh: build only
exec "$bin" "$@"
