#!/bin/sh
# Builds the grpc-go example server (offline, against Debian's Go sources: golang-go and
# golang-google-grpc-dev; scripts/setup.sh installs both and runs this), statically, into
# bin/greeter_server: the binary `x-lab.binary` puts in an image (examples/servers/go/lab.yaml).
set -e
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/bin/greeter_server"
if [ ! -x "$bin" ] || [ "$here/greeter_server/main.go" -nt "$bin" ]; then
  command -v go >/dev/null || { echo "build.sh: no Go toolchain; install golang-go and golang-google-grpc-dev (bash scripts/setup.sh does)" >&2; exit 127; }
  mkdir -p "$here/bin"
  (cd "$here/greeter_server" && CGO_ENABLED=0 GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="${GOCACHE:-$here/bin/.cache}" go build -o "$bin" .)
fi
