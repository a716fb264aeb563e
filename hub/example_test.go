package hub_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/hub"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
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

// This example switches the source of a DispatcherOneToMany: the media of
// the source port goes to every other port of the hub, so changing the
// presenter does not touch the viewers' connections. In an application each
// port is connected to an endpoint (presenters to their port, the port to
// each viewer).
func ExampleDispatcherOneToMany_SetSource() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := start()
	c, err := client.Dial(ctx, srv.URL())
	check(err)
	defer closeAll(c, srv)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	check(err)
	defer func() { check(p.Release(ctx)) }()
	d, err := hub.NewDispatcherOneToMany(ctx, p, nil)
	check(err)

	camera1, err := hub.NewHubPort(ctx, d, nil)
	check(err)
	camera2, err := hub.NewHubPort(ctx, d, nil)
	check(err)
	for range 3 {
		_, err := hub.NewHubPort(ctx, d, nil) // a viewer's port
		check(err)
	}
	check(d.SetSource(ctx, camera1))
	check(d.SetSource(ctx, camera2)) // switch cameras
	ports, err := d.GetChildren(ctx)
	check(err)
	fmt.Println("ports:", len(ports))
	// Output:
	// ports: 5
}
