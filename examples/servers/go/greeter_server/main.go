// A server the lab did not write, for `x-lab.role: server` (README: "Put your own server in the
// lab"): grpc-go (Debian's golang-google-grpc-dev) serving helloworld.Greeter/SayHello, as grpc-go's
// helloworld example does, plus grpc-go's own health service (grpc.health.v1), SERVING from the start.
// It knows nothing of the lab: no registry, no x-lab- header, no knobs; the lab's sidecar beside it
// registers it, watches it and faults its link.
//
//	greeter_server --listen :50051
//
// On SIGTERM it stops gracefully (health NOT_SERVING, then GracefulStop: calls in flight finish).
//
// Built offline against Debian's Go sources (no modules, no network), statically (CGO_ENABLED=0), so
// its image is the binary alone:
//
//	CGO_ENABLED=0 GO111MODULE=off GOPATH=/usr/share/gocode go build -o greeter_server .
//
// Messages are encoded by hand (HelloRequest and HelloReply are one string field each), so no
// generated code is needed: a codec that passes bytes through.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// rawCodec passes already-encoded protobuf bytes through; other messages (the health service's
// generated ones) go to the proto codec it replaces.
type rawCodec struct{ proto encoding.Codec }

func (c rawCodec) Marshal(v interface{}) ([]byte, error) {
	if b, ok := v.(*[]byte); ok {
		return *b, nil
	}
	return c.proto.Marshal(v)
}
func (c rawCodec) Unmarshal(data []byte, v interface{}) error {
	if b, ok := v.(*[]byte); ok {
		*b = append([]byte(nil), data...)
		return nil
	}
	return c.proto.Unmarshal(data, v)
}
func (rawCodec) Name() string { return "proto" }

// field1 reads field 1 (a string) of a message, or "" when it is absent.
func field1(msg []byte) string {
	for i := 0; i < len(msg); {
		key, n := uvarint(msg[i:])
		if n <= 0 {
			return ""
		}
		i += n
		switch key & 7 {
		case 0:
			_, m := uvarint(msg[i:])
			if m <= 0 {
				return ""
			}
			i += m
		case 2:
			l, m := uvarint(msg[i:])
			if m <= 0 || i+m+int(l) > len(msg) {
				return ""
			}
			if key>>3 == 1 {
				return string(msg[i+m : i+m+int(l)])
			}
			i += m + int(l)
		case 1:
			i += 8
		case 5:
			i += 4
		default:
			return ""
		}
	}
	return ""
}

func uvarint(b []byte) (uint64, int) {
	var x uint64
	for i, c := range b {
		if i == 10 {
			return 0, -1
		}
		x |= uint64(c&0x7f) << (7 * uint(i))
		if c < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}

// string1 encodes a message whose field 1 is s.
func string1(s string) []byte {
	out := []byte{0x0a}
	l := uint64(len(s))
	for l >= 0x80 {
		out = append(out, byte(l)|0x80)
		l >>= 7
	}
	out = append(out, byte(l))
	return append(out, s...)
}

type greeter interface{}

func sayHello(_ interface{}, ctx context.Context, dec func(interface{}) error, _ grpc.UnaryServerInterceptor) (interface{}, error) {
	var in []byte
	if err := dec(&in); err != nil {
		return nil, err
	}
	out := string1("Hello " + field1(in))
	return &out, nil
}

var greeterDesc = grpc.ServiceDesc{
	ServiceName: "helloworld.Greeter",
	HandlerType: (*greeter)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "SayHello", Handler: sayHello}},
	Metadata:    "helloworld.proto",
}

func main() {
	listen := flag.String("listen", ":50051", "address to listen on")
	flag.Parse()
	encoding.RegisterCodec(rawCodec{proto: encoding.GetCodec("proto")})
	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("listen %s: %v", *listen, err)
	}
	s := grpc.NewServer()
	s.RegisterService(&greeterDesc, struct{}{})
	h := health.NewServer()
	healthpb.RegisterHealthServer(s, h)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		sig := <-stop
		fmt.Fprintf(os.Stderr, "greeter: %v: stopping gracefully\n", sig)
		h.Shutdown()
		s.GracefulStop()
	}()
	fmt.Fprintf(os.Stderr, "greeter: serving helloworld.Greeter on %s\n", lis.Addr())
	if err := s.Serve(lis); err != nil {
		log.Fatalf("serve: %v", err)
	}
}
