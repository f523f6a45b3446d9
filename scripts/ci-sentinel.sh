#!/usr/bin/env bash
# A container (and a network) the tests did not start, to prove they leave such things alone.
# `start` runs it from a tiny image imported from /bin/sleep and its libraries (no registry needed);
# `check` fails unless it is still running, untouched, and then removes it.
set -euo pipefail
NAME=ci-sentinel
case "${1:-}" in
  start)
    docker rm -f "$NAME" >/dev/null 2>&1 || true
    docker network rm "$NAME" >/dev/null 2>&1 || true
    if ! docker image inspect ci/sentinel:1 >/dev/null 2>&1; then
      root=$(mktemp -d)
      for f in /bin/sleep $(ldd /bin/sleep | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$f")" && cp -L "$f" "$root$f"
      done
      tar -C "$root" -c . | docker import - ci/sentinel:1 >/dev/null
      rm -rf "$root"
    fi
    docker network create "$NAME" >/dev/null
    docker run -d --name "$NAME" --network "$NAME" --restart no ci/sentinel:1 /bin/sleep 86400 >/dev/null
    echo "[ci] sentinel container $NAME running"
    ;;
  check)
    id0=$(cat "${2:?the id file}")
    state=$(docker inspect -f '{{.Id}} {{.State.Running}} {{.RestartCount}} {{.State.StartedAt}}' "$NAME" 2>/dev/null || echo gone)
    docker rm -f "$NAME" >/dev/null 2>&1 || true
    docker network rm "$NAME" >/dev/null 2>&1 || true
    if [ "$state" != "$id0" ]; then
      echo "[ci] the tests touched a container they did not start: before '$id0', after '$state'" >&2
      exit 1
    fi
    echo "[ci] sentinel container $NAME untouched"
    ;;
  state) docker inspect -f '{{.Id}} {{.State.Running}} {{.RestartCount}} {{.State.StartedAt}}' "$NAME" ;;
  *) echo "usage: $0 start | state | check FILE" >&2; exit 2 ;;
esac
