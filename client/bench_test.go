package client_test

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/coder/websocket"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
)

// floorClient is the least a JSON-RPC client over coder/websocket can do:
// a write mutex, one reader, a map of waiting channels. No keepalive, no
// reconnect, no session handling, no typed errors. The SDK is measured
// against it in the same run.
type floorClient struct {
	ws      *websocket.Conn
	wmu     sync.Mutex
	mu      sync.Mutex
	waiting map[uint64]chan json.RawMessage
	nextID  atomic.Uint64
	events  chan json.RawMessage
	session string
	done    chan struct{}
}

func dialFloor(ctx context.Context, url string) (*floorClient, error) {
	ws, resp, err := websocket.Dial(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(16 << 20)
	f := &floorClient{ws: ws, waiting: map[uint64]chan json.RawMessage{}, events: make(chan json.RawMessage, 1<<16), done: make(chan struct{})}
	go f.read() //nolint:contextcheck // the reader lives as long as the socket
	var r struct {
		SessionID string `json:"sessionId"`
	}
	if err := f.call(ctx, "connect", nil, &r); err != nil {
		return nil, err
	}
	f.session = r.SessionID
	return f, f.call(ctx, "describe", map[string]string{"object": client.ServerManagerID, "sessionId": f.session}, nil)
}

func (f *floorClient) read() {
	defer close(f.done)
	for {
		_, b, err := f.ws.Read(context.Background())
		if err != nil {
			return
		}
		var m struct {
			ID     *uint64         `json:"id"`
			Result json.RawMessage `json:"result"`
			Params json.RawMessage `json:"params"`
		}
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		if m.ID == nil {
			f.events <- m.Params
			continue
		}
		f.mu.Lock()
		ch := f.waiting[*m.ID]
		delete(f.waiting, *m.ID)
		f.mu.Unlock()
		if ch != nil {
			ch <- m.Result
		}
	}
}

func (f *floorClient) call(ctx context.Context, method string, params, result any) error {
	id := f.nextID.Add(1)
	ch := make(chan json.RawMessage, 1)
	f.mu.Lock()
	f.waiting[id] = ch
	f.mu.Unlock()
	req := map[string]any{"jsonrpc": "2.0", "id": id, "method": method}
	if params != nil {
		req["params"] = params
	}
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	f.wmu.Lock()
	err = f.ws.Write(ctx, websocket.MessageText, b)
	f.wmu.Unlock()
	if err != nil {
		return err
	}
	select {
	case r := <-ch:
		if result != nil {
			return json.Unmarshal(r, result)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *floorClient) close() {
	_ = f.ws.CloseNow()
	<-f.done
}

func (f *floorClient) getName(ctx context.Context) (string, error) {
	var r struct {
		Value string `json:"value"`
	}
	err := f.call(ctx, "invoke", map[string]string{
		"object": client.ServerManagerID, "operation": "getName", "sessionId": f.session,
	}, &r)
	return r.Value, err
}

type benchTarget struct {
	name  string
	setup func(b *testing.B, url string) (getName func(context.Context) (string, error), done func())
}

var targets = []benchTarget{
	{
		name: "floor",
		setup: func(b *testing.B, url string) (func(context.Context) (string, error), func()) {
			b.Helper()
			f, err := dialFloor(b.Context(), url)
			if err != nil {
				b.Fatal(err)
			}
			return f.getName, f.close
		},
	},
	{
		name: "sdk",
		setup: func(b *testing.B, url string) (func(context.Context) (string, error), func()) {
			b.Helper()
			c, err := client.Dial(b.Context(), url)
			if err != nil {
				b.Fatal(err)
			}
			return func(ctx context.Context) (string, error) {
				var name string
				err := c.Invoke(ctx, client.ServerManagerID, "getName", nil, &name)
				return name, err
			}, func() { _ = c.Close() }
		},
	},
}

// benchURL is the server the invoke benchmarks use: the in-process fake,
// or KURENTO_BENCH_URL (a fake in another process, e.g. go run
// ./cmd/kurento-fake) so that allocs/op count the client side only.
func benchURL(b *testing.B) string {
	b.Helper()
	if u := os.Getenv("KURENTO_BENCH_URL"); u != "" {
		return u
	}
	return kurentotest.NewServer(b).URL()
}

func benchSequential(b *testing.B, t benchTarget) {
	b.Helper()
	getName, done := t.setup(b, benchURL(b))
	defer done()
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := getName(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func benchParallel64(b *testing.B, t benchTarget) {
	b.Helper()
	getName, done := t.setup(b, benchURL(b))
	defer done()
	ctx := b.Context()
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := getName(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchEvents measures delivery of b.N events from the fake's Emit to the
// consumer: the SDK through a subscription channel, the floor by reading
// raw notifications.
func benchEvents(b *testing.B, name string) {
	b.Helper()
	srv := kurentotest.NewServer(b)
	ctx := b.Context()
	var recv func()
	switch name {
	case "floor":
		f, err := dialFloor(ctx, srv.URL())
		if err != nil {
			b.Fatal(err)
		}
		defer f.close()
		var r struct {
			Value string `json:"value"`
		}
		if err := f.call(ctx, "create", map[string]any{"type": "MediaPipeline", "sessionId": f.session}, &r); err != nil {
			b.Fatal(err)
		}
		if err := f.call(ctx, "subscribe", map[string]any{"object": r.Value, "type": "Error", "sessionId": f.session}, nil); err != nil {
			b.Fatal(err)
		}
		pipe := r.Value
		recv = func() {
			p := <-f.events
			var ev struct {
				Value struct {
					Data json.RawMessage `json:"data"`
				} `json:"value"`
			}
			if json.Unmarshal(p, &ev) != nil {
				b.Error("bad event")
			}
		}
		emitLoop(b, srv, pipe, recv)
	case "sdk":
		c, err := client.Dial(ctx, srv.URL(), client.WithEventBuffer(1<<16))
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = c.Close() }()
		p, err := c.CreateObject(ctx, "MediaPipeline", nil)
		if err != nil {
			b.Fatal(err)
		}
		ch, err := p.Subscribe(ctx, "Error")
		if err != nil {
			b.Fatal(err)
		}
		emitLoop(b, srv, p.ID(), func() { <-ch })
	}
}

// emitLoop emits b.N events in batches and receives them all.
func emitLoop(b *testing.B, srv *kurentotest.Server, object string, recv func()) {
	b.Helper()
	data := map[string]any{"description": "benchmark", "errorCode": 1, "type": "X"}
	b.ReportAllocs()
	b.ResetTimer()
	const batch = 512
	for n := 0; n < b.N; n += batch {
		k := min(batch, b.N-n)
		for range k {
			if err := srv.Emit(object, "Error", data); err != nil {
				b.Fatal(err)
			}
		}
		for range k {
			recv()
		}
	}
}

// versusFloor runs the floor, then the SDK, as sub-benchmarks of one
// benchmark, and reports on the SDK's line its throughput as a multiple of
// the floor's measured just before in the same process (x_floor: 1.0 is as
// fast as the floor, higher is faster).
func versusFloor(b *testing.B, run func(b *testing.B, name string)) {
	b.Helper()
	var floorNs float64
	b.Run("floor", func(b *testing.B) {
		run(b, "floor")
		floorNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N) // the last, largest run wins
	})
	b.Run("sdk", func(b *testing.B) {
		run(b, "sdk")
		if sdkNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N); floorNs > 0 && sdkNs > 0 {
			b.ReportMetric(floorNs/sdkNs, "x_floor")
		}
	})
}

func target(name string) benchTarget {
	for _, t := range targets {
		if t.name == name {
			return t
		}
	}
	panic("no bench target " + name)
}

func sequentialOf(b *testing.B, name string) {
	b.Helper()
	benchSequential(b, target(name))
}

func parallel64Of(b *testing.B, name string) {
	b.Helper()
	benchParallel64(b, target(name))
}

func BenchmarkInvokeSequential(b *testing.B) { versusFloor(b, sequentialOf) }

func BenchmarkInvokeParallel64(b *testing.B) { versusFloor(b, parallel64Of) }

func BenchmarkEventDelivery(b *testing.B) {
	versusFloor(b, benchEvents)
}
