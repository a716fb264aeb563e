package client_test

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/kurentotest"
)

// soakHandles is the number of element handles of the soak benchmark.
const soakHandles = 10_000

// heapAfterGC is the live heap once the collector settled.
func heapAfterGC() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// soakObjects creates n pipelines on srv (in transactions of 500) and
// returns their ids.
func soakObjects(ctx context.Context, b *testing.B, srv *kurentotest.Server, n int) []string {
	b.Helper()
	c, err := client.Dial(ctx, srv.URL(), client.WithKeepSessionOnClose())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() }) //nolint:contextcheck // Close takes no context: it ends the client
	ids := make([]string, 0, n)
	for len(ids) < n {
		tx := c.Begin()
		var objs []*client.Object
		for range min(500, n-len(ids)) {
			o, err := tx.CreateObject(ctx, "MediaPipeline", nil)
			if err != nil {
				b.Fatal(err)
			}
			objs = append(objs, o)
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		for _, o := range objs {
			ids = append(ids, o.ID())
		}
	}
	return ids
}

// BenchmarkSoakHandles holds 10,000 element handles, each with an event
// subscription, and reports the client heap they cost and the goroutines
// idle subscriptions keep.
//
// The fake server runs in the same process, so its own cost of a
// subscription (the handler and the call log entry) is measured with the
// floor client making the same subscribe requests, and subtracted:
// B/handle is the SDK's side only; B/handle-with-server is the raw figure.
// Run with -benchtime=1x: one iteration makes 10,000 round trips.
func BenchmarkSoakHandles(b *testing.B) {
	ctx := b.Context()
	for b.Loop() {
		// The server's share: the floor client subscribes, keeping nothing.
		srvA := kurentotest.NewServer(b)
		idsA := soakObjects(ctx, b, srvA, soakHandles)
		f, err := dialFloor(ctx, srvA.URL())
		if err != nil {
			b.Fatal(err)
		}
		before := heapAfterGC()
		for _, id := range idsA {
			if err := f.call(ctx, "subscribe", map[string]any{"object": id, "type": "Error", "sessionId": f.session}, nil); err != nil {
				b.Fatal(err)
			}
		}
		// The same events as below, so that the server's share includes
		// what emitting costs it.
		for i := 0; i < len(idsA); i += 10 {
			if err := srvA.Emit(idsA[i], "Error", map[string]any{"errorCode": i}); err != nil {
				b.Fatal(err)
			}
		}
		for i := 0; i < len(idsA); i += 10 {
			<-f.events
		}
		serverShare := float64(heapAfterGC()-before) / soakHandles
		f.close()
		_ = srvA.Close()

		srv := kurentotest.NewServer(b)
		ids := soakObjects(ctx, b, srv, soakHandles)
		c, err := client.Dial(ctx, srv.URL())
		if err != nil {
			b.Fatal(err)
		}
		subCtx, cancel := context.WithCancel(ctx)
		goroutines := runtime.NumGoroutine()
		before = heapAfterGC()
		handles := make([]*client.Object, 0, soakHandles)
		chans := make([]<-chan event.Raw, 0, soakHandles)
		for _, id := range ids {
			h := c.Object("MediaPipeline", id)
			ch, err := h.Subscribe(subCtx, "Error")
			if err != nil {
				b.Fatal(err)
			}
			handles = append(handles, h)
			chans = append(chans, ch)
		}
		// One event through every tenth subscription: a pump that has
		// delivered must go idle again, without a goroutine.
		for i := 0; i < len(ids); i += 10 {
			if err := srv.Emit(ids[i], "Error", map[string]any{"errorCode": i}); err != nil {
				b.Fatal(err)
			}
		}
		for i := 0; i < len(ids); i += 10 {
			<-chans[i]
		}
		after := heapAfterGC()
		idle := soakIdleGoroutines(goroutines)
		withServer := float64(after-before) / soakHandles
		b.ReportMetric(withServer-serverShare, "B/handle")
		b.ReportMetric(withServer, "B/handle-with-server")
		b.ReportMetric(float64(idle-goroutines)/soakHandles, "goroutines/handle")
		runtime.KeepAlive(handles)
		runtime.KeepAlive(chans)
		cancel()
		_ = c.Close()
		_ = srv.Close()
	}
}

// soakIdleGoroutines counts goroutines once the pumps that delivered an
// event have exited (they exit right after the channel send is taken).
func soakIdleGoroutines(baseline int) int {
	deadline := time.Now().Add(5 * time.Second)
	n := runtime.NumGoroutine()
	for n > baseline && time.Now().Before(deadline) {
		runtime.Gosched()
		n = runtime.NumGoroutine()
	}
	return n
}

// stormEvents is the size of the event storm.
const stormEvents = 100_000

// BenchmarkEventStorm emits 100,000 events as fast as the fake can and
// measures how fast they come out of a subscription channel (sdk) and out
// of the floor client's reader (floor), in the same run; sdk/floor is the
// ratio of the two rates. Run with -benchtime=1x.
func BenchmarkEventStorm(b *testing.B) {
	ctx := b.Context()
	data := map[string]any{"description": "storm", "errorCode": 1, "type": "X"}
	for b.Loop() {
		srv := kurentotest.NewServer(b)
		storm := func(object string, recv func()) float64 {
			done := make(chan struct{})
			start := time.Now()
			go func() {
				defer close(done)
				for range stormEvents {
					if err := srv.Emit(object, "Error", data); err != nil {
						b.Error(err)
						return
					}
				}
			}()
			for range stormEvents {
				recv()
			}
			rate := stormEvents / time.Since(start).Seconds()
			<-done
			return rate
		}

		f, err := dialFloor(ctx, srv.URL())
		if err != nil {
			b.Fatal(err)
		}
		var r struct {
			Value string `json:"value"`
		}
		if err := f.call(ctx, "create", map[string]any{"type": "MediaPipeline", "sessionId": f.session}, &r); err != nil {
			b.Fatal(err)
		}
		if err := f.call(ctx, "subscribe", map[string]any{"object": r.Value, "type": "Error", "sessionId": f.session}, nil); err != nil {
			b.Fatal(err)
		}
		// Like the SDK, the floor hands its consumer a decoded event (type,
		// object and data), not the undecoded params.
		floor := storm(r.Value, func() {
			var ev struct {
				Value struct {
					Data   json.RawMessage `json:"data"`
					Object string          `json:"object"`
					Type   string          `json:"type"`
				} `json:"value"`
			}
			if json.Unmarshal(<-f.events, &ev) != nil {
				b.Error("floor: bad event")
			}
		})
		f.close()

		// The buffer holds the whole storm: the rate is measured, not the
		// consumer's scheduling (a consumer that falls 4096 behind with the
		// default buffer ends with ErrSlowConsumer; see TestEventFlood).
		c, err := client.Dial(ctx, srv.URL(), client.WithEventBuffer(stormEvents))
		if err != nil {
			b.Fatal(err)
		}
		p, err := c.CreateObject(ctx, "MediaPipeline", nil)
		if err != nil {
			b.Fatal(err)
		}
		ch, err := p.Subscribe(ctx, "Error")
		if err != nil {
			b.Fatal(err)
		}
		sdk := storm(p.ID(), func() { <-ch })
		_ = c.Close()
		_ = srv.Close()
		b.ReportMetric(floor, "floor-events/s")
		b.ReportMetric(sdk, "sdk-events/s")
		b.ReportMetric(sdk/floor, "sdk/floor")
	}
}
