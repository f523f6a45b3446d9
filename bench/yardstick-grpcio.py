"""A gRPC C-core client (Debian's python3-grpcio) as a yardstick: N concurrent unary calls in a
closed loop for D seconds against one target; prints the number of completed calls."""
import sys, threading, time
import grpc

target, concurrency, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
# EchoRequest{message: "hello"} serialized by hand: field 1, length 5.
request = b"\x0a\x05hello"
channel = grpc.insecure_channel(target, options=[("grpc.lb_policy_name", "round_robin")])
call = channel.unary_unary("/grpc.examples.echo.Echo/UnaryEcho", request_serializer=None, response_deserializer=None)
done = 0
lock = threading.Lock()
deadline = time.time() + seconds
stop = threading.Event()

def issue():
    if stop.is_set():
        return
    fut = call.future(request, timeout=5)
    fut.add_done_callback(finished)

def finished(fut):
    global done
    if fut.exception() is None:
        with lock:
            done += 1
    if time.time() < deadline:
        issue()

start = time.time()
for _ in range(concurrency):
    issue()
time.sleep(seconds)
stop.set()
time.sleep(0.2)
print(done, time.time() - start)
