package client_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
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
		rssBefore := residentBytes()
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
		rssAfter := residentBytes()
		idle := soakIdleGoroutines(goroutines)
		withServer := float64(after-before) / soakHandles
		b.ReportMetric(withServer-serverShare, "B/handle")
		b.ReportMetric(withServer, "B/handle-with-server")
		b.ReportMetric(float64(idle-goroutines)/soakHandles, "goroutines/handle")
		// RSS includes the in-process server's growth and what the
		// runtime keeps from the heap; 0 where /proc is missing.
		if rssBefore > 0 && rssAfter > 0 {
			b.ReportMetric(float64(rssAfter-rssBefore)/soakHandles, "RSS-B/handle-with-server")
		}
		runtime.KeepAlive(handles)
		runtime.KeepAlive(chans)
		cancel()
		_ = c.Close()
		_ = srv.Close()
	}
}

// residentBytes is the process's resident set size from /proc/self/status
// (VmRSS), or 0 where that file is missing.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
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
