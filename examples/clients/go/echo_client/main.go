// A client the lab did not write: grpc-go (Debian's golang-google-grpc-dev, 1.33), in the style of
// grpc-go's load_balancing example (seed 000): its own resolver hands grpc-go every echo server's
// address ($LAB_ECHO_ADDRESSES), and the service config picks the policy. Or any target grpc-go
// resolves itself, such as Consul's DNS interface (--target dns://$LAB_CONSUL_DNS/echo.service.consul:50051).
// It calls UnaryEcho at a steady rate until SIGTERM, tagging each call with x-lab-client:
// $LAB_CLIENT_NAME so the echo servers count it under that name, and prints calls per backend once a second.
//
// Built offline against Debian's Go sources (no modules, no network):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o echo_client .
//
// Messages are encoded by hand (grpc.examples.echo.EchoRequest is one string field), so no
// generated code is needed: a codec that passes bytes through.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/status"
)

// rawCodec sends and receives already-encoded protobuf bytes.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// A resolver in the style of grpc-go's examples: lab:///echo resolves to the addresses it was given.
type labResolverBuilder struct{ addrs []string }

func (b *labResolverBuilder) Build(target resolver.Target, cc resolver.ClientConn, _ resolver.BuildOptions) (resolver.Resolver, error) {
	state := resolver.State{}
	for _, a := range b.addrs {
		state.Addresses = append(state.Addresses, resolver.Address{Addr: a})
	}
	cc.UpdateState(state)
	return nopResolver{}, nil
}
func (*labResolverBuilder) Scheme() string { return "lab" }

type nopResolver struct{}

func (nopResolver) ResolveNow(resolver.ResolveNowOptions) {}
func (nopResolver) Close()                                {}

func request(msg string) []byte { return append([]byte{0x0a, byte(len(msg))}, msg...) }

// backendOf reads EchoResponse.message ("echo-2: hi") and returns the name before the colon.
func backendOf(raw []byte) string {
	if len(raw) < 2 || raw[0] != 0x0a || int(raw[1])+2 > len(raw) {
		return "?"
	}
	return strings.SplitN(string(raw[2:2+int(raw[1])]), ":", 2)[0]
}

func main() {
	lb := flag.String("lb", "round_robin", "round_robin or pick_first")
	target := flag.String("target", "lab:///echo", "lab:///echo (every address in $LAB_ECHO_ADDRESSES) or any grpc-go target")
	rate := flag.Float64("rate", 200, "calls per second, one at a time")
	flag.Parse()

	if addrs := os.Getenv("LAB_ECHO_ADDRESSES"); addrs != "" {
		resolver.Register(&labResolverBuilder{addrs: strings.Split(addrs, ",")})
	}
	config := fmt.Sprintf(`{"loadBalancingConfig": [{"%s": {}}]}`, *lb)
	conn, err := grpc.Dial(*target, grpc.WithInsecure(), grpc.WithDefaultServiceConfig(config))
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		os.Exit(1)
	}
	defer conn.Close()

	name := os.Getenv("LAB_CLIENT_NAME")
	if name == "" {
		name = "grpc-go"
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	fmt.Printf("calling %s with %s at %g/s\n", *target, *lb, *rate)

	tick := time.NewTicker(time.Duration(float64(time.Second) / *rate))
	second := time.NewTicker(time.Second)
	counts, errors := map[string]int{}, map[string]int{}
	for {
		select {
		case <-stop:
			fmt.Println("stopped")
			return
		case <-second.C:
			line, _ := json.Marshal(map[string]interface{}{"backends": counts, "errors": errors})
			fmt.Println(string(line))
			counts, errors = map[string]int{}, map[string]int{}
		case <-tick.C:
			ctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(context.Background(), "x-lab-client", name), time.Second)
			req, reply := request("hi"), []byte(nil)
			err := conn.Invoke(ctx, "/grpc.examples.echo.Echo/UnaryEcho", &req, &reply, grpc.ForceCodec(rawCodec{}))
			cancel()
			if err != nil {
				errors[status.Code(err).String()]++
			} else {
				counts[backendOf(reply)]++
			}
		}
	}
}
