"""A client the lab did not write: gRPC C-core (Debian's python3-grpcio) calling UnaryEcho on the
sandbox's echo servers until it is stopped. The lab runs it from a scenario
(`clients: { py: { run: "python3 echo_client.py --lb round_robin" } }`) and watches its calls from
the servers' side; it only reads the addresses the lab puts in its environment.

  --lb round_robin|pick_first   the policy, as a service config (default round_robin)
  --target T                    default: every echo server, ipv4:$LAB_ECHO_ADDRESSES
                                (or dns://$LAB_CONSUL_DNS/echo.service.consul:50051)
  --rate N                      calls per second, one at a time (default 200)

Each call carries x-lab-client: $LAB_CLIENT_NAME, so the servers count it under this client's name.
It prints one line a second: calls per backend (the echo servers put their name in the reply).
"""
import argparse
import json
import os
import signal
import sys
import time

import grpc

parser = argparse.ArgumentParser()
parser.add_argument("--lb", default="round_robin", choices=["round_robin", "pick_first"])
parser.add_argument("--target", default="ipv4:" + os.environ.get("LAB_ECHO_ADDRESSES", "127.77.1.1:50051"))
parser.add_argument("--rate", type=float, default=200)
args = parser.parse_args()

running = True


def stop(_signum, _frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)


def request(message):
    """grpc.examples.echo.EchoRequest{message}, by hand: field 1, length-delimited."""
    data = message.encode()
    return b"\x0a" + bytes([len(data)]) + data


def backend_of(raw):
    """EchoResponse.message is "echo-2: hi": the name before the colon."""
    return raw[2 : 2 + raw[1]].decode().split(":", 1)[0] if raw[:1] == b"\x0a" else "?"


config = json.dumps({"loadBalancingConfig": [{args.lb: {}}]})
channel = grpc.insecure_channel(args.target, options=[("grpc.service_config", config), ("grpc.enable_retries", 0)])
call = channel.unary_unary("/grpc.examples.echo.Echo/UnaryEcho", request_serializer=None, response_deserializer=None)
metadata = (("x-lab-client", os.environ.get("LAB_CLIENT_NAME", "python")),)

print(f"calling {args.target} with {args.lb} at {args.rate:g}/s", flush=True)
gap = 1.0 / args.rate
next_call = time.monotonic()
second = next_call + 1
counts, errors = {}, {}
while running:
    try:
        backend = backend_of(call(request("hi"), timeout=1, metadata=metadata))
        counts[backend] = counts.get(backend, 0) + 1
    except grpc.RpcError as e:
        errors[e.code().name] = errors.get(e.code().name, 0) + 1
    now = time.monotonic()
    if now >= second:
        print(json.dumps({"backends": counts, "errors": errors}), flush=True)
        counts, errors = {}, {}
        second += 1
    next_call += gap
    if next_call > now:
        time.sleep(next_call - now)
    else:
        next_call = now
channel.close()
print("stopped", flush=True)
sys.exit(0)
