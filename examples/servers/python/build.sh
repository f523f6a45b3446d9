#!/bin/sh
# Assembles the Python example server's image, examples/greeter-py:1, from this machine's files:
# Debian's python3 and python3-grpcio (scripts/setup.sh installs both and runs this), the shared
# libraries `ldd` lists for them, and greeter_server.py: an image FROM scratch, built offline, as
# the lab assembles its own. Skips the build when the image holds this greeter_server.py already.
set -e
here=$(cd "$(dirname "$0")" && pwd)
image=examples/greeter-py:1
py=$(readlink -f /usr/bin/python3 2>/dev/null || true)
grpc_dir=/usr/lib/python3/dist-packages/grpc
[ -x "$py" ] && [ -d "$grpc_dir" ] || { echo "build.sh: needs Debian's python3 and python3-grpcio (bash scripts/setup.sh installs them)" >&2; exit 127; }
command -v docker >/dev/null || { echo "build.sh: needs the docker CLI (bash scripts/setup.sh installs docker.io)" >&2; exit 127; }
stdlib=/usr/lib/$(basename "$py")
sum=$(cat "$here/greeter_server.py" "$0" | sha256sum | cut -c1-16)
if [ "$(docker image inspect --format '{{ index .Config.Labels "lab.example.sum" }}' "$image" 2>/dev/null)" = "$sum" ]; then exit 0; fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/app" "$root/tmp"
chmod 1777 "$root/tmp"
copy() { mkdir -p "$root$(dirname "$1")" && cp -aL "$1" "$root$1"; }
copy "$py"
ln -s "$(basename "$py")" "$root/usr/bin/python3"
# The standard library, without its tests and the modules a server needs no part of.
mkdir -p "$root$stdlib"
(cd "$stdlib" && tar cf - --exclude=./test --exclude=./idlelib --exclude=./tkinter --exclude=./turtledemo --exclude=./ensurepip --exclude=./lib2to3 .) | (cd "$root$stdlib" && tar xf -)
copy "$grpc_dir"
cp "$here/greeter_server.py" "$root/app/"
# Every shared library the interpreter and the extension modules load, and the loader.
for f in "$py" $(find "$stdlib/lib-dynload" "$grpc_dir" -name '*.so'); do
  ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }'
done | sort -u | while read -r lib; do copy "$lib"; done
cat > "$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
LABEL lab.example.sum=$sum
ENTRYPOINT ["/usr/bin/python3", "-u", "/app/greeter_server.py"]
DOCKERFILE
docker build -q -t "$image" "$ctx" >/dev/null 2>"$ctx/err" || { cat "$ctx/err" >&2; exit 1; }
echo "build.sh: built $image ($(docker image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
