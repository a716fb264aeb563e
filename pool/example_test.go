package pool_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/pool"
)

// Two rooms on two servers, a second participant joining the first room,
// and the failover of the room whose server restarted.
func ExamplePool_Place() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, err := kurentotest.Start()
	check(err)
	defer func() { _ = a.Close() }()
	b, err := kurentotest.Start()
	check(err)
	defer func() { _ = b.Close() }()
	// Idle servers tie; the lower URL wins a tie. Call that one A.
	name := map[string]string{a.URL(): "A", b.URL(): "B"}
	if b.URL() < a.URL() {
		name = map[string]string{a.URL(): "B", b.URL(): "A"}
	}

	p, err := pool.New(ctx, pool.Static(a.URL(), b.URL()))
	check(err)
	defer func() { _ = p.Close() }()
	failovers := p.Failovers(ctx)

	room1, err := p.Place(ctx, "room-1")
	check(err)
	_, err = pipeline.NewMediaPipeline(ctx, room1.Client(), nil)
	check(err)
	room2, err := p.Place(ctx, "room-2")
	check(err)
	again, err := p.Place(ctx, "room-1") // a second participant
	check(err)
	fmt.Println("room-1 on", name[room1.URL()], "and again on", name[again.URL()])
	fmt.Println("room-2 on", name[room2.URL()])

	// The server of room-1 restarts: its session, and room-1's pipeline,
	// are gone.
	if room1.URL() == a.URL() {
		a.Restart()
	} else {
		b.Restart()
	}
	f := <-failovers
	<-room1.Lost()
	fmt.Println(f.Key, "failed over:", f.Reason)
	room1.Release()
	again.Release()
	room2.Release()
	// Output:
	// room-1 on A and again on A
	// room-2 on B
	// room-1 failed over: session lost
}

// check stops the example on an error; real code returns it.
func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
