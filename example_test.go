package kurento_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/hub"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/rpc"
	"github.com/gokurento/kurento/types"
)

// offer is a minimal browser offer: one audio and one video m-line, bundled.
const offer = "v=0\r\n" +
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"a=group:BUNDLE 0 1\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" +
	"c=IN IP4 0.0.0.0\r\n" +
	"a=ice-ufrag:EsAw\r\n" +
	"a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\n" +
	"a=fingerprint:sha-256 DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09:DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF\r\n" +
	"a=setup:actpass\r\n" +
	"a=mid:0\r\n" +
	"a=sendrecv\r\n" +
	"a=rtcp-mux\r\n" +
	"a=rtpmap:111 opus/48000/2\r\n" +
	"m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" +
	"c=IN IP4 0.0.0.0\r\n" +
	"a=ice-ufrag:EsAw\r\n" +
	"a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\n" +
	"a=fingerprint:sha-256 DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09:DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF\r\n" +
	"a=setup:actpass\r\n" +
	"a=mid:1\r\n" +
	"a=sendrecv\r\n" +
	"a=rtcp-mux\r\n" +
	"a=rtpmap:96 VP8/90000\r\n"

// start starts the fake KMS the examples run against. A real application
// dials its KMS, e.g. ws://127.0.0.1:8888/kurento.
func start() *kurentotest.Server {
	srv, err := kurentotest.Start()
	check(err)
	return srv
}

// closeAll closes the client, then the server, when an example ends.
func closeAll(cs ...io.Closer) {
	for _, c := range cs {
		check(c.Close())
	}
}

// check stops the example on an error; real code returns it.
func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// This example dials KMS and creates a media pipeline.
func Example() {
	srv := start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)

	info, err := pipeline.ServerManagerOf(c).GetInfo(ctx)
	check(err)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	check(err)
	fmt.Println("server version:", info.Version)
	fmt.Println("created:", p.Object().Type())
	check(p.Release(ctx))
	// Output:
	// server version: 7.3.0
	// created: MediaPipeline
}

// This example negotiates a WebRTC loopback: the browser's offer is
// answered, the endpoint is connected to itself and ICE candidates are
// gathered.
func Example_webRtcLoopback() {
	srv := start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	check(err)
	ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	check(err)

	// Subscribe before gathering so that no candidate is missed. One stream
	// of both types keeps the server's order.
	ice, err := ep.Events(ctx, "IceCandidateFound", "IceGatheringDone")
	check(err)

	answer, err := ep.ProcessOffer(ctx, offer)
	check(err)
	fmt.Println("answer starts with v=0:", strings.HasPrefix(answer, "v=0"))
	check(ep.Connect(ctx, ep, nil))
	check(ep.GatherCandidates(ctx))

	perMid := map[string]bool{}
	for ev := range ice.C() {
		if c, ok := ev.(event.IceCandidateFound); ok {
			perMid[c.Candidate.SdpMid] = true // a real server sends c.Candidate to the browser
			continue
		}
		break // IceGatheringDone: every candidate came before it
	}
	check(p.Release(ctx))
	fmt.Println("candidates for mids:", slices.Sorted(maps.Keys(perMid)))
	// Output:
	// answer starts with v=0: true
	// candidates for mids: [0 1]
}

// This example builds a pipeline with two connected endpoints in a single
// transaction: one round trip to the server.
func Example_transaction() {
	srv := start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)
	before := len(srv.Calls())

	tx := c.Begin()
	// Until Commit, calls only check their arguments and queue operations.
	p, err := pipeline.NewMediaPipeline(ctx, tx, nil)
	check(err)
	caller, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	check(err)
	callee, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	check(err)
	check(caller.Connect(ctx, callee, nil))
	check(callee.Connect(ctx, caller, nil))
	fmt.Println("operations:", tx.Len(), "pending id:", strings.HasPrefix(caller.ID(), "newref:"))

	check(tx.Commit(ctx))
	fmt.Println("requests sent:", len(srv.Calls())-before)
	sinks, err := caller.GetSinkConnections(ctx, nil)
	check(err)
	fmt.Println("caller sends to callee:", len(sinks) > 0 && sinks[0].Sink.ID() == callee.ID())
	// Output:
	// operations: 5 pending id: true
	// requests sent: 1
	// caller sends to callee: true
}

// This example matches server errors with errors.Is.
func Example_errors() {
	srv := start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	check(err)
	ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	check(err)

	// Bad arguments are refused before the wire, locally.
	_, err = ep.ProcessOffer(ctx, "")
	fmt.Println("empty offer refused locally:", errors.Is(err, client.ErrInvalidArgument), client.IsLocal(err))

	// Server refusals match the sentinel of their code.
	check(p.Release(ctx))
	_, err = ep.GetName(ctx)
	fmt.Println("released endpoint is MEDIA_OBJECT_NOT_FOUND:", errors.Is(err, client.ErrObjectNotFound))
	if code, ok := client.CodeOf(err); ok {
		fmt.Println("code:", int(code), code)
	}

	// Every failure says which operation failed; local ones are told apart.
	var opErr *client.OpError
	if errors.As(err, &opErr) {
		fmt.Println("failed operation:", opErr.Method, opErr.Operation)
	}
	fmt.Println("local:", client.IsLocal(err))
	// Output:
	// empty offer refused locally: true true
	// released endpoint is MEDIA_OBJECT_NOT_FOUND: true
	// code: 40101 MEDIA_OBJECT_NOT_FOUND
	// failed operation: invoke getName
	// local: false
}

// This example watches the connection: a dropped socket is replaced and the
// session resumes; a restarted server loses the session.
func Example_reconnect() {
	srv := start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	check(err)
	changes := c.StateChanges(ctx)
	waitFor := func(r rpc.Reason) {
		for sc := range changes {
			fmt.Println(sc.State, "-", sc.Reason)
			if sc.Reason == r {
				return
			}
		}
	}

	srv.DropConnections()
	waitFor(rpc.ReasonResumed)
	_, err = p.GetName(ctx)
	fmt.Println("pipeline usable after resume:", err == nil)

	srv.Restart()
	waitFor(rpc.ReasonSessionLost)
	_, err = p.GetName(ctx)
	fmt.Println("pipeline after restart:", errors.Is(err, client.ErrSessionLost))
	// Output:
	// reconnecting - socket lost
	// ready - resumed
	// pipeline usable after resume: true
	// reconnecting - socket lost
	// ready - session lost
	// pipeline after restart: true
}

// This example logs through log/slog. Zap users pass a zap core through
// go.uber.org/zap/exp/zapslog instead of the text handler:
//
//	logger := slog.New(zapslog.NewHandler(zapLogger.Core()))
func Example_logging() {
	srv := start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Keep the output stable: drop the time and the per-run ids.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelInfo,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.LevelKey, slog.MessageKey, "component":
				return a
			}
			return slog.Attr{}
		},
	}))
	c, err := client.Dial(ctx, srv.URL(), client.WithLogger(logger))
	check(err)
	check(c.Close())
	check(srv.Close())
	// Output:
	// level=INFO msg=connected component=kurento
	// level=INFO msg=closed component=kurento
}

// This example broadcasts one presenter to several viewers: the
// presenter's WebRtcEndpoint is connected to each viewer's. When the
// presenter's browser starts sending (simulated by the fake server), every
// viewer reports media flowing in.
func Example_oneToMany() {
	srv := start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	check(err)
	defer func() { check(p.Release(ctx)) }()

	presenter, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	check(err)
	_, err = presenter.ProcessOffer(ctx, offer) // the presenter's browser offer
	check(err)

	var flowing []<-chan event.MediaFlowInStateChanged
	for range 3 {
		viewer, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
		check(err)
		// Each viewer negotiates with its own browser (ProcessOffer, ICE)
		// like the presenter; here only the media side is shown.
		ch, err := viewer.OnMediaFlowInStateChanged(ctx)
		check(err)
		flowing = append(flowing, ch)
		check(presenter.Connect(ctx, viewer, nil))
	}

	check(srv.SimulateMediaFlow(presenter.ID())) // the presenter's media arrives
	receiving := 0
	for _, ch := range flowing {
		for ev := range ch {
			if ev.MediaType == types.MediaTypeVideo && ev.State == types.MediaFlowStateFlowing {
				receiving++
				break
			}
		}
	}
	fmt.Println("viewers receiving video:", receiving)
	// Output:
	// viewers receiving video: 3
}

// This example wires a group call: every participant's WebRtcEndpoint sends
// to its own HubPort of a Composite and receives the mix of the others from
// it. The pipeline is then drawn as a Graphviz graph with
// MediaPipeline.DOT.
func Example_groupCall() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := start()
	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	check(err)
	defer func() { check(p.Release(ctx)) }()
	check(p.SetName(ctx, "group call"))
	room, err := hub.NewComposite(ctx, p, nil)
	check(err)
	check(room.SetName(ctx, "room"))

	// join adds one participant; each would negotiate with its browser
	// (ProcessOffer, ICE) as in a one-to-one call.
	join := func(name string) *hub.HubPort {
		ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
		check(err)
		check(ep.SetName(ctx, name))
		port, err := hub.NewHubPort(ctx, room, nil)
		check(err)
		check(port.SetName(ctx, name+"'s port"))
		check(ep.Connect(ctx, port, nil)) // what the participant sends
		check(port.Connect(ctx, ep, nil)) // the mix of everybody else
		return port
	}
	join("alice")
	bob := join("bob")

	dot, err := p.DOT(ctx)
	check(err)
	fmt.Print(dot)

	// Leaving: releasing the port (and the endpoint) removes the
	// participant from the mix.
	check(bob.Release(ctx))
	ports, err := room.GetChildren(ctx)
	check(err)
	fmt.Println("ports left:", len(ports))
	// Output:
	// digraph "group call" {
	// 	graph [rankdir=LR, labelloc=t, fontname="Helvetica", label="MediaPipeline\ngroup call"];
	// 	node [shape=box, style=rounded, fontname="Helvetica"];
	// 	edge [fontname="Helvetica", fontsize=10];
	// 	subgraph cluster_n1 {
	// 		graph [label="", style="rounded,dashed"];
	// 		n1 [label="Composite\nroom", shape=component];
	// 		n2 [label="HubPort\nalice's port"];
	// 		n3 [label="HubPort\nbob's port"];
	// 	}
	// 	n4 [label="WebRtcEndpoint\nalice"];
	// 	n5 [label="WebRtcEndpoint\nbob"];
	// 	n2 -> n4 [label="audio", color="darkorange", fontcolor="darkorange"];
	// 	n2 -> n4 [label="video", color="royalblue", fontcolor="royalblue"];
	// 	n2 -> n4 [label="data", color="forestgreen", fontcolor="forestgreen"];
	// 	n3 -> n5 [label="audio", color="darkorange", fontcolor="darkorange"];
	// 	n3 -> n5 [label="video", color="royalblue", fontcolor="royalblue"];
	// 	n3 -> n5 [label="data", color="forestgreen", fontcolor="forestgreen"];
	// 	n4 -> n2 [label="audio", color="darkorange", fontcolor="darkorange"];
	// 	n4 -> n2 [label="video", color="royalblue", fontcolor="royalblue"];
	// 	n4 -> n2 [label="data", color="forestgreen", fontcolor="forestgreen"];
	// 	n5 -> n3 [label="audio", color="darkorange", fontcolor="darkorange"];
	// 	n5 -> n3 [label="video", color="royalblue", fontcolor="royalblue"];
	// 	n5 -> n3 [label="data", color="forestgreen", fontcolor="forestgreen"];
	// }
	// ports left: 1
}
