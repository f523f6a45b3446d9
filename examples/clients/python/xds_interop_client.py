"""grpc's xDS interop test client, the C-core side: Debian's python3-grpcio (gRPC C-core 1.51) calling
grpc.testing.TestService through an xDS channel, and answering grpc.testing.LoadBalancerStatsService
as grpc's interop drivers ask it (GetClientStats). The lab's own test asks it what grpc's ping_pong
and round_robin cases ask; any driver can (README: "Run grpc's interop clients against the lab").

  GRPC_XDS_BOOTSTRAP=<file from `lab xds bootstrap`> python3 xds_interop_client.py \\
      --server xds:///echo --stats_port 50052 --qps 100 --rpc UnaryCall

A call counts for a backend when it succeeded and its response headers carry `hostname` (what
grpc's xDS test server sends, and the lab's echo servers with it). Messages are written and read by
hand (a few fields): the image carries no protoc, and the wire format is the contract.
"""
import argparse
import signal
import sys
import threading
import time
from concurrent import futures

import grpc

parser = argparse.ArgumentParser()
parser.add_argument("--server", default="xds:///echo")
parser.add_argument("--stats_port", type=int, default=50052)
parser.add_argument("--qps", type=float, default=100)
parser.add_argument("--rpc", default="UnaryCall", choices=["UnaryCall", "EmptyCall"])
parser.add_argument("--rpc_timeout_sec", type=float, default=10)
args = parser.parse_args()


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_varint(data, i):
    n = shift = 0
    while True:
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def fields(data):
    """The varint fields of a message (LoadBalancerStatsRequest has two: num_rpcs, timeout_sec)."""
    out, i = {}, 0
    while i < len(data):
        key, i = read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            out[number], i = read_varint(data, i)
        elif wire == 2:
            length, i = read_varint(data, i)
            i += length
        elif wire == 5:
            i += 4
        elif wire == 1:
            i += 8
        else:
            raise ValueError("wire type %d" % wire)
    return out


def string_field(number, text):
    data = text.encode()
    return varint(number << 3 | 2) + varint(len(data)) + data


def stats_response(by_peer, failures):
    """LoadBalancerStatsResponse: rpcs_by_peer (1, map<string, int32>), num_failures (2)."""
    out = bytearray()
    for peer, count in sorted(by_peer.items()):
        entry = string_field(1, peer) + varint(2 << 3) + varint(count)
        out += varint(1 << 3 | 2) + varint(len(entry)) + entry
    if failures:
        out += varint(2 << 3) + varint(failures)
    return bytes(out)


class Watcher:
    """The next `n` calls to end: by backend, and those that failed or named none."""

    def __init__(self, n):
        self.remaining = n
        self.by_peer = {}
        self.failures = 0
        self.done = threading.Event()
        if n <= 0:
            self.done.set()


watchers = []
lock = threading.Lock()


def ended(peer):
    with lock:
        for w in list(watchers):
            if peer:
                w.by_peer[peer] = w.by_peer.get(peer, 0) + 1
            else:
                w.failures += 1
            w.remaining -= 1
            if w.remaining <= 0:
                watchers.remove(w)
                w.done.set()


def get_client_stats(request, _context):
    f = fields(request)
    w = Watcher(f.get(1, 0))
    with lock:
        if w.remaining > 0:
            watchers.append(w)
    w.done.wait(f.get(2, 0) or None)
    with lock:
        if w in watchers:
            watchers.remove(w)
        return stats_response(w.by_peer, w.failures + max(w.remaining, 0))


running = threading.Event()
running.set()


def stop(_signum, _frame):
    running.clear()


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)

server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
server.add_generic_rpc_handlers(
    (
        grpc.method_handlers_generic_handler(
            "grpc.testing.LoadBalancerStatsService",
            {"GetClientStats": grpc.unary_unary_rpc_method_handler(get_client_stats)},
        ),
    )
)
if not server.add_insecure_port("127.0.0.1:%d" % args.stats_port):
    sys.exit("xds_interop_client: 127.0.0.1:%d is taken" % args.stats_port)
server.start()

channel = grpc.insecure_channel(args.server)
call = channel.unary_unary("/grpc.testing.TestService/" + args.rpc)


def on_done(fut):
    peer = None
    if fut.code() == grpc.StatusCode.OK:
        peer = dict(fut.initial_metadata() or ()).get("hostname")
    ended(peer)


print("xds_interop_client: %s to %s at %g/s, stats on 127.0.0.1:%d" % (args.rpc, args.server, args.qps, args.stats_port), flush=True)
interval = 1.0 / args.qps
next_at = time.monotonic()
in_flight = []
while running.is_set():
    fut = call.future(b"", timeout=args.rpc_timeout_sec)
    fut.add_done_callback(on_done)
    in_flight = [f for f in in_flight if not f.done()] + [fut]
    next_at += interval
    time.sleep(max(0.0, next_at - time.monotonic()))

for f in in_flight:
    f.cancel()
channel.close()
server.stop(1).wait()
