package client_test

import (
	"context"
	"testing"

	"github.com/gokurento/kurento/client"
)

// BenchmarkTracer measures what a tracer costs per call: the floor client,
// the SDK without a tracer, with client.NopTracer and with a counting
// tracer, side by side over the same server in one run. x_unset on a line
// is the SDK-without-tracer time divided by that line's time (1.0: same
// cost); allocs/op shows the tracer's allocations directly, and cpu-ns/op
// the CPU time of this process per call, which with the server in another
// process (KURENTO_BENCH_URL) is the client's alone and, unlike wall time,
// barely moves with the machine's load.
func BenchmarkTracer(b *testing.B) {
	url := benchURL(b)
	sdk := func(opts ...client.Option) func(b *testing.B) {
		return func(b *testing.B) {
			b.Helper()
			c, err := client.Dial(b.Context(), url, opts...)
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = c.Close() }()
			ctx := b.Context()
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				var name string
				if err := c.Invoke(ctx, client.ServerManagerID, "getName", nil, &name); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		}
	}
	var unsetNs float64
	perOp := func(b *testing.B) float64 {
		b.Helper()
		return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	}
	b.Run("floor", func(b *testing.B) {
		getName, done := target("floor").setup(b, url)
		defer done()
		ctx := b.Context()
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			if _, err := getName(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
	b.Run("unset", func(b *testing.B) {
		sdk()(b)
		unsetNs = perOp(b)
	})
	b.Run("nop", func(b *testing.B) {
		sdk(client.WithTracer(client.NopTracer{}))(b)
		if ns := perOp(b); unsetNs > 0 && ns > 0 {
			b.ReportMetric(unsetNs/ns, "x_unset")
		}
	})
	b.Run("counting", func(b *testing.B) {
		var t countingTracer
		sdk(client.WithTracer(&t))(b)
		if ns := perOp(b); unsetNs > 0 && ns > 0 {
			b.ReportMetric(unsetNs/ns, "x_unset")
		}
	})
}

// countingTracer does the least a metrics tracer does: count calls.
type countingTracer struct {
	client.NopTracer
	calls int64
}

func (t *countingTracer) TraceCallEnd(context.Context, client.CallEnd) { t.calls++ }
