#!/usr/bin/env python3
"""A gRPC server the lab did not write: helloworld.Greeter/SayHello on python3-grpcio (Debian's
grpcio, gRPC's C core), nothing of the lab. Messages are taken and given as bytes (a generic
handler, no generated code): SayHello answers an empty HelloReply, which any proto3 client reads.
It has no health service: its lab.yaml probes it with `health: tcp` (a connect and an HTTP/2 PING).

    python3 greeter_server.py --listen '[::]:50051'
"""
import argparse
import signal
import sys
import threading
from concurrent import futures

import grpc


def say_hello(_request: bytes, _context) -> bytes:
    return b''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--listen', default='[::]:50051', help='address to listen on (default [::]:50051)')
    parser.add_argument('--workers', type=int, default=16, help='threads serving calls (default 16)')
    args = parser.parse_args()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.workers))
    greeter = grpc.method_handlers_generic_handler(
        'helloworld.Greeter', {'SayHello': grpc.unary_unary_rpc_method_handler(say_hello)}
    )
    server.add_generic_rpc_handlers((greeter,))
    if server.add_insecure_port(args.listen) == 0:
        sys.exit(f'greeter_server.py: cannot listen on {args.listen}')
    server.start()
    print(f'greeter_server.py: serving helloworld.Greeter on {args.listen}', flush=True)

    stopped = threading.Event()

    def stop(signum, _frame):
        # SIGTERM: no new calls, 5 s for the calls in flight, then exit.
        print(f'greeter_server.py: signal {signum}, stopping', flush=True)
        server.stop(5).wait()
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    stopped.wait()


if __name__ == '__main__':
    main()
