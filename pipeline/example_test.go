package pipeline_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/element"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

// start starts the fake KMS the examples run against. A real application
// dials its KMS, e.g. ws://127.0.0.1:8888/kurento.
func start() *kurentotest.Server {
	srv, err := kurentotest.Start()
	check(err)
	return srv
}

// closeAll closes the client, then the server.
func closeAll(c *client.Client, srv *kurentotest.Server) {
	check(c.Close())
	check(srv.Close())
}

// check stops the example on an error; real code returns it.
func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// This example draws a call between two browsers, one of them recorded, as
// a Graphviz graph. Names set with SetName label the nodes; without them a
// short form of each object id is shown. Pipe the text into `dot -Tsvg` to
// see the picture.
func ExampleMediaPipeline_DOT() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := start()
	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)

	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	check(err)
	alice, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	check(err)
	bob, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	check(err)
	rec, err := endpoint.NewRecorderEndpoint(ctx, p, "file:///tmp/alice.webm", nil)
	check(err)
	for obj, name := range map[*element.MediaObject]string{
		&p.MediaObject: "call", &alice.MediaObject: "alice", &bob.MediaObject: "bob", &rec.MediaObject: "recorder",
	} {
		check(obj.SetName(ctx, name))
	}
	for _, err := range []error{
		alice.Connect(ctx, bob, nil), // every media type
		bob.Connect(ctx, alice, nil),
		alice.Connect(ctx, rec, &element.ConnectOptions{MediaType: types.MediaTypeVideo}),
	} {
		check(err)
	}

	dot, err := p.DOT(ctx)
	check(err)
	fmt.Print(dot)
	// Output:
	// digraph "call" {
	// 	graph [rankdir=LR, labelloc=t, fontname="Helvetica", label="MediaPipeline\ncall"];
	// 	node [shape=box, style=rounded, fontname="Helvetica"];
	// 	edge [fontname="Helvetica", fontsize=10];
	// 	n1 [label="RecorderEndpoint\nrecorder"];
	// 	n2 [label="WebRtcEndpoint\nalice"];
	// 	n3 [label="WebRtcEndpoint\nbob"];
	// 	n2 -> n1 [label="video", color="royalblue", fontcolor="royalblue"];
	// 	n2 -> n3 [label="audio", color="darkorange", fontcolor="darkorange"];
	// 	n2 -> n3 [label="video", color="royalblue", fontcolor="royalblue"];
	// 	n2 -> n3 [label="data", color="forestgreen", fontcolor="forestgreen"];
	// 	n3 -> n2 [label="audio", color="darkorange", fontcolor="darkorange"];
	// 	n3 -> n2 [label="video", color="royalblue", fontcolor="royalblue"];
	// 	n3 -> n2 [label="data", color="forestgreen", fontcolor="forestgreen"];
	// }
}
