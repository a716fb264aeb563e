package cascade_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/pool/cascade"
)

// A player on one server feeds a recorder on another.
func ExampleRelay() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var clients [2]*client.Client
	var pipelines [2]*pipeline.MediaPipeline
	for i := range clients {
		srv, err := kurentotest.Start()
		check(err)
		defer func() { _ = srv.Close() }()
		clients[i], err = client.Dial(ctx, srv.URL())
		check(err)
		defer func() { _ = clients[i].Close() }()
		pipelines[i], err = pipeline.NewMediaPipeline(ctx, clients[i], nil)
		check(err)
	}
	player, err := endpoint.NewPlayerEndpoint(ctx, pipelines[0], "file:///media/talk.webm", nil)
	check(err)
	link, err := cascade.Relay(ctx, player, pipelines[1], nil)
	check(err)
	recorder, err := endpoint.NewRecorderEndpoint(ctx, pipelines[1], "file:///tmp/talk.webm", nil)
	check(err)
	err = link.Source().Connect(ctx, recorder, nil)
	check(err)
	fmt.Println("near end on the player's server:", link.Near().Object().Client() == clients[0])
	fmt.Println("far end on the recorder's server:", link.Source().Object().Client() == clients[1])

	// Releasing the far pipeline ends the link and releases the near end.
	err = pipelines[1].Release(ctx)
	check(err)
	<-link.Done()
	_, err = clients[0].Describe(ctx, link.Near().ID())
	fmt.Println("near end released:", errors.Is(err, client.ErrObjectNotFound))
	// Output:
	// near end on the player's server: true
	// far end on the recorder's server: true
	// near end released: true
}

// check stops the example on an error; real code returns it.
func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
