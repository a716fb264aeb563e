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
// reconnect, no session handling, no typed errors, no event routing. The
// SDK is measured against it in the same run.
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

// floorRequest is a request frame as a plain struct.
type floorRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      uint64 `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
}

// floorInvoke is the params of an invoke without operationParams.
type floorInvoke struct {
	Object    string `json:"object"`
	Operation string `json:"operation"`
	SessionID string `json:"sessionId"`
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
			ID     uint64          `json:"id"`
			Method string          `json:"method"`
			Result json.RawMessage `json:"result"`
			Params json.RawMessage `json:"params"`
		}
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		if m.Method != "" {
			f.events <- m.Params // blocks when full: the floor never drops
			continue
		}
		f.mu.Lock()
		ch := f.waiting[m.ID]
		delete(f.waiting, m.ID)
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
	b, err := json.Marshal(floorRequest{JSONRPC: "2.0", ID: id, Method: method, Params: params})
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
	err := f.call(ctx, "invoke", &floorInvoke{Object: client.ServerManagerID, Operation: "getName", SessionID: f.session}, &r)
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
// ./cmd/kurento-fake) so that allocs/op and cpu-ns/op count the client
// side only.
func benchURL(b *testing.B) string {
	b.Helper()
	if u := os.Getenv("KURENTO_BENCH_URL"); u != "" {
		return u
	}
	return kurentotest.NewServer(b).URL()
}

// cpuMeter reports the process CPU time (user and system) spent between
// start and stop as cpu-ns/op: with the server in another process, the
// client's own cost whatever the machine's load, which wall time is not.
type cpuMeter struct{ start int64 }

func startCPU() cpuMeter { return cpuMeter{start: processCPU()} }

func (m cpuMeter) report(b *testing.B, n int) float64 {
	b.Helper()
	ns := float64(processCPU()-m.start) / float64(n)
	b.ReportMetric(ns, "cpu-ns/op")
	return ns
}

func benchSequential(b *testing.B, t benchTarget) float64 {
	b.Helper()
	getName, done := t.setup(b, benchURL(b))
	defer done()
	ctx := b.Context()
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if _, err := getName(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return cpu.report(b, b.N)
}

func benchParallel64(b *testing.B, t benchTarget) float64 {
	b.Helper()
	getName, done := t.setup(b, benchURL(b))
	defer done()
	ctx := b.Context()
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := getName(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	return cpu.report(b, b.N)
}

// versusFloor runs the floor, then the SDK, as sub-benchmarks of one
// benchmark, and reports on the SDK's line its CPU per operation as a
// multiple of the floor's measured just before in the same process
// (x_floor_cpu: 1.0 costs as much as the floor, lower is cheaper).
func versusFloor(b *testing.B, run func(b *testing.B, name string) float64) {
	b.Helper()
	var floorCPU float64
	b.Run("floor", func(b *testing.B) {
		floorCPU = run(b, "floor") // the last, largest run wins
	})
	b.Run("sdk", func(b *testing.B) {
		if sdkCPU := run(b, "sdk"); floorCPU > 0 {
			b.ReportMetric(sdkCPU/floorCPU, "x_floor_cpu")
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

func sequentialOf(b *testing.B, name string) float64 {
	b.Helper()
	return benchSequential(b, target(name))
}

func parallel64Of(b *testing.B, name string) float64 {
	b.Helper()
	return benchParallel64(b, target(name))
}

// BenchmarkInvokeSequential: one caller, one invoke at a time.
func BenchmarkInvokeSequential(b *testing.B) { versusFloor(b, sequentialOf) }

// BenchmarkInvokeParallel64: 64 concurrent callers on one connection.
func BenchmarkInvokeParallel64(b *testing.B) { versusFloor(b, parallel64Of) }

// interleaveChunk is how many calls each client makes in turn in
// BenchmarkInvokeInterleaved.
const interleaveChunk = 250

// BenchmarkInvokeInterleaved measures the CPU of sequential invokes of the
// floor and the SDK taking turns in chunks of 250 calls, both connected for
// the whole run, so that a change in the machine's load hits both alike
// (the side-by-side benchmarks run one client after the other). It reports
// each client's CPU per call and x_floor_cpu, the SDK's over the floor's.
func BenchmarkInvokeInterleaved(b *testing.B) {
	url := benchURL(b)
	floorCall, floorDone := target("floor").setup(b, url)
	defer floorDone()
	sdkCall, sdkDone := target("sdk").setup(b, url)
	defer sdkDone()
	ctx := b.Context()
	var floorCPU, sdkCPU int64
	run := func(call func(context.Context) (string, error), n int) int64 {
		start := processCPU()
		for range n {
			if _, err := call(ctx); err != nil {
				b.Fatal(err)
			}
		}
		return processCPU() - start
	}
	done := 0
	for done < b.N {
		n := min(interleaveChunk, b.N-done)
		floorCPU += run(floorCall, n)
		sdkCPU += run(sdkCall, n)
		done += n
	}
	b.ReportMetric(float64(floorCPU)/float64(b.N), "floor-cpu-ns/op")
	b.ReportMetric(float64(sdkCPU)/float64(b.N), "sdk-cpu-ns/op")
	if floorCPU > 0 {
		b.ReportMetric(float64(sdkCPU)/float64(floorCPU), "x_floor_cpu")
	}
}
