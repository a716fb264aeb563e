package pool_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pool"
)

func benchFakes(b *testing.B, n int) []string {
	b.Helper()
	urls := make([]string, n)
	for i := range urls {
		urls[i] = kurentotest.NewServer(b).URL()
	}
	return urls
}

func benchPool(b *testing.B, urls []string, opts ...pool.Option) *pool.Pool {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := pool.New(ctx, pool.Static(urls...), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Close() })
	for _, s := range p.Servers() {
		if !s.Eligible {
			b.Fatalf("%s not ready", s.URL)
		}
	}
	return p
}

// BenchmarkPlace measures placement decisions: Place of a new key (every
// ready server scored by the default policy) and its Release, sequentially
// and from many goroutines, and Place of a held key. Each placement asks
// the chosen server for a load read in the background; with in-process
// fakes that work (including the fake's runtime.ReadMemStats for
// getUsedMemory) competes with the benchmark, so KURENTO_POOL_BENCH_URLS (a
// comma-separated list of servers in other processes, e.g. kurento-fake)
// measures against those instead.
func BenchmarkPlace(b *testing.B) {
	sets := map[int][]string{}
	if env := os.Getenv("KURENTO_POOL_BENCH_URLS"); env != "" {
		urls := strings.Split(env, ",")
		sets[len(urls)] = urls
	} else {
		for _, n := range []int{2, 8, 32} {
			sets[n] = benchFakes(b, n)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(sets)) {
		urls := sets[n]
		p := benchPool(b, urls)
		ctx := context.Background()
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				pl, err := p.Place(ctx, strconv.Itoa(i))
				if err != nil {
					b.Fatal(err)
				}
				pl.Release()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "places/s")
		})
		b.Run(fmt.Sprintf("servers=%d/parallel", n), func(b *testing.B) {
			b.ReportAllocs()
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					pl, err := p.Place(ctx, strconv.FormatInt(next.Add(1), 10))
					if err != nil {
						b.Error(err)
						return
					}
					pl.Release()
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "places/s")
		})
		b.Run(fmt.Sprintf("servers=%d/sticky", n), func(b *testing.B) {
			held, err := p.Place(ctx, "held")
			if err != nil {
				b.Fatal(err)
			}
			defer held.Release()
			b.ReportAllocs()
			for b.Loop() {
				pl, err := p.Place(ctx, "held")
				if err != nil {
					b.Fatal(err)
				}
				pl.Release()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "places/s")
		})
	}
}

func heapNow() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc + ms.StackInuse
}

// BenchmarkMemoryPerServer compares, in one run against the same fakes,
// the heap and stacks of a pool of n servers with those of n bare clients
// dialed to the same servers. The fakes run in this process, so both
// figures include the fake's memory for one session; their difference is
// what the pool adds to a client per server.
func BenchmarkMemoryPerServer(b *testing.B) {
	const n = 64
	urls := benchFakes(b, n)
	ctx := context.Background()
	for b.Loop() {
		base := heapNow()
		clients := make([]*client.Client, n)
		for i, u := range urls {
			c, err := client.Dial(ctx, u)
			if err != nil {
				b.Fatal(err)
			}
			clients[i] = c
		}
		bare := heapNow() - base
		for _, c := range clients {
			_ = c.Close()
		}
		base = heapNow()
		p, err := pool.New(ctx, pool.Static(urls...))
		if err != nil {
			b.Fatal(err)
		}
		pooled := heapNow() - base
		_ = p.Close()
		b.ReportMetric(float64(bare)/n, "B/client")
		b.ReportMetric(float64(pooled)/n, "B/pooled-server")
		b.ReportMetric((float64(pooled)-float64(bare))/n, "B/pool-overhead")
	}
}

// BenchmarkFailover measures the time from a fake server's restart (its
// sessions lost) to the Failover of a key placed on it, and from its death
// to the Failover with lost-after 100 ms.
func BenchmarkFailover(b *testing.B) {
	b.Run("restart", func(b *testing.B) {
		srv := kurentotest.NewServer(b)
		p := benchPool(b, []string{srv.URL()})
		ctx := context.Background()
		fo := p.Failovers(ctx)
		var total time.Duration
		for i := 0; b.Loop(); i++ {
			pl, err := p.Place(ctx, strconv.Itoa(i))
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			srv.Restart()
			f := <-fo
			total += f.At.Sub(t0)
			pl.Release()
		}
		b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/failover")
	})
	b.Run("death", func(b *testing.B) {
		const lostAfter = 100 * time.Millisecond
		var total time.Duration
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			srv, err := kurentotest.Start()
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			p, err := pool.New(ctx, pool.Static(srv.URL()), pool.WithLostAfter(lostAfter))
			if err != nil {
				b.Fatal(err)
			}
			fo := p.Failovers(ctx)
			pl, err := p.Place(ctx, "k")
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			t0 := time.Now()
			_ = srv.Close()
			f := <-fo
			total += f.At.Sub(t0)
			b.StopTimer()
			pl.Release()
			_ = p.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/failover")
		b.ReportMetric(float64(lostAfter.Milliseconds()), "ms-lost-after")
	})
}
