package otelkurento_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/rpc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/otelkurento"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type harness struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tracer *otelkurento.Tracer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	var err error
	h.tracer, err = otelkurento.New(otelkurento.WithTracerProvider(tp), otelkurento.WithMeterProvider(mp))
	require.NoError(t, err)
	return h
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, srv *kurentotest.Server, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.Dial(testCtx(t), srv.URL(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func (h *harness) span(t *testing.T, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, s := range h.spans.Ended() {
		if s.Name() == name {
			return s
		}
	}
	require.FailNow(t, "no span", name)
	return nil
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func (h *harness) metrics(t *testing.T) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, otelkurento.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

// sum adds the points of a counter whose attributes include want.
func sum(t *testing.T, data metricdata.Aggregation, want ...attribute.KeyValue) int64 {
	t.Helper()
	s, ok := data.(metricdata.Sum[int64])
	require.True(t, ok, "not an int64 sum: %T", data)
	var n int64
	for _, p := range s.DataPoints {
		match := true
		for _, kv := range want {
			v, ok := p.Attributes.Value(kv.Key)
			match = match && ok && v == kv.Value
		}
		if match {
			n += p.Value
		}
	}
	return n
}

func TestCallSpansAndMetrics(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := kurentotest.NewServer(t)
	c := dial(t, srv, client.WithTracer(h.tracer))
	ctx := testCtx(t)

	parentCtx, parent := sdktrace.NewTracerProvider().Tracer("test").Start(ctx, "parent")
	p, err := c.CreateObject(parentCtx, "MediaPipeline", nil)
	require.NoError(t, err)
	parent.End()
	require.NoError(t, p.Invoke(ctx, "getName", nil, nil))
	require.Error(t, p.Invoke(ctx, "noSuchOperation", nil, nil))
	_, err = p.Subscribe(ctx, "Error")
	require.NoError(t, err)
	// No reply ever comes: the call fails locally when its ctx expires.
	srv.React("getName", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted})
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	require.ErrorIs(t, p.Invoke(short, "getName", nil, nil), context.DeadlineExceeded)
	cancel()

	create := h.span(t, "kurento/create")
	assert.Equal(t, trace.SpanKindClient, create.SpanKind())
	assert.Equal(t, parent.SpanContext().TraceID(), create.Parent().TraceID(), "child of the caller's span")
	a := attrs(create)
	assert.Equal(t, "jsonrpc", a["rpc.system.name"].AsString())
	assert.Equal(t, "create", a["rpc.method"].AsString())
	assert.Equal(t, "2.0", a["jsonrpc.protocol.version"].AsString())
	assert.Equal(t, "MediaPipeline", a[otelkurento.ObjectClassKey].AsString())
	assert.Equal(t, codes.Unset, create.Status().Code)

	get := h.span(t, "kurento/invoke/getName")
	a = attrs(get)
	assert.Equal(t, p.ID(), a[otelkurento.ObjectIDKey].AsString())
	assert.Equal(t, "getName", a[otelkurento.OperationKey].AsString())
	assert.Equal(t, "MediaPipeline", a[otelkurento.ObjectClassKey].AsString())

	bad := h.span(t, "kurento/invoke/noSuchOperation")
	assert.Equal(t, codes.Error, bad.Status().Code)
	assert.Equal(t, "40008", attrs(bad)["rpc.response.status_code"].AsString(), "KMS answers unknown operations with 40008")
	assert.Equal(t, "40008", attrs(bad)["error.type"].AsString())

	sub := h.span(t, "kurento/subscribe")
	assert.Equal(t, "Error", attrs(sub)[otelkurento.EventTypeKey].AsString())

	m := h.metrics(t)
	calls := m["kurento.client.calls"]
	assert.Equal(t, int64(1), sum(t, calls, attribute.String("rpc.method", "create"), attribute.String("kurento.outcome", "ok")))
	assert.Equal(t, int64(1), sum(t, calls, attribute.String("kurento.operation", "noSuchOperation"),
		attribute.String("kurento.outcome", "server_error"), attribute.String("rpc.response.status_code", "40008")))
	assert.Equal(t, int64(1), sum(t, calls, attribute.String("kurento.operation", "getName"), attribute.String("kurento.outcome", "local_error")))
	hist, ok := m["rpc.client.call.duration"].(metricdata.Histogram[float64])
	require.True(t, ok)
	var n uint64
	for _, p := range hist.DataPoints {
		n += p.Count
	}
	assert.Equal(t, uint64(5), n, "create, two getName, noSuchOperation, subscribe")
}

// resumeSignal passes every hook to the adapter and closes resumed once
// the adapter has seen the connection resume. (StateChanges subscribers may
// hear of a change before the tracer does, so they cannot tell when the
// adapter is done.)
type resumeSignal struct {
	*otelkurento.Tracer
	once    sync.Once
	resumed chan struct{}
}

func (r *resumeSignal) TraceStateChange(sc rpc.StateChange) {
	r.Tracer.TraceStateChange(sc)
	if sc.Reason == rpc.ReasonResumed {
		r.once.Do(func() { close(r.resumed) })
	}
}

func TestResendAndReconnect(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := kurentotest.NewServer(t)
	sig := &resumeSignal{Tracer: h.tracer, resumed: make(chan struct{})}
	c := dial(t, srv, client.WithTracer(sig), client.WithBackoff(client.Backoff{Base: 10 * time.Millisecond}))
	ctx := testCtx(t)
	srv.React("create", kurentotest.Reaction{Delay: 300 * time.Millisecond})
	go func() {
		_, _ = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "create" })
		srv.DropConnections()
	}()
	_, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	select {
	case <-sig.resumed:
	case <-ctx.Done():
		require.FailNow(t, "the adapter never saw the resume")
	}
	create := h.span(t, "kurento/create")
	var names []string
	for _, e := range create.Events() {
		names = append(names, e.Name)
	}
	assert.Contains(t, names, "kurento.connection.lost")
	assert.Contains(t, names, "kurento.resend")
	assert.Equal(t, int64(1), attrs(create)[otelkurento.ResentKey].AsInt64())

	m := h.metrics(t)
	assert.Equal(t, int64(1), sum(t, m["kurento.client.resends"]))
	assert.Equal(t, int64(1), sum(t, m["kurento.client.reconnects"], attribute.String("kurento.reason", "socket lost")))
	assert.Equal(t, int64(1), sum(t, m["kurento.client.state_changes"],
		attribute.String("kurento.state", "ready"), attribute.String("kurento.reason", "resumed")))
}

// TestConnectionEventsOnSpansInFlight drives the hooks directly: whether a
// real call is still in flight when a reconnect completes depends on timing.
func TestConnectionEventsOnSpansInFlight(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	start := client.CallStart{
		Method: "invoke", Operation: "getName", ObjectID: client.ServerManagerID,
		Class: "ServerManager", Start: time.Now(),
	}
	ctx := h.tracer.TraceCallStart(t.Context(), start)
	h.tracer.TraceStateChange(rpc.StateChange{State: rpc.Reconnecting, Reason: rpc.ReasonKeepalive, Err: rpc.ErrKeepaliveTimeout})
	h.tracer.TraceStateChange(rpc.StateChange{State: rpc.Ready, Reason: rpc.ReasonResumed})
	h.tracer.TraceCallEnd(ctx, client.CallEnd{CallStart: start, Duration: time.Millisecond})
	// A span ended before the next loss sees nothing of it.
	h.tracer.TraceStateChange(rpc.StateChange{State: rpc.Reconnecting, Reason: rpc.ReasonSocketLost})
	h.tracer.TraceStateChange(rpc.StateChange{State: rpc.Ready, Reason: rpc.ReasonSessionLost, Err: client.ErrSessionLost})
	h.tracer.TraceSessionLost(client.SessionLost{OldSessionID: "a", NewSessionID: "b", Cause: "server restarted"})

	s := h.span(t, "kurento/invoke/getName")
	require.Len(t, s.Events(), 2)
	assert.Equal(t, "kurento.connection.lost", s.Events()[0].Name)
	assert.Equal(t, "kurento.session.resumed", s.Events()[1].Name)
	assert.Equal(t, start.Start.Add(time.Millisecond), s.EndTime(), "the span ends when the call did")

	m := h.metrics(t)
	assert.Equal(t, int64(2), sum(t, m["kurento.client.reconnects"]))
	assert.Equal(t, int64(1), sum(t, m["kurento.client.sessions_lost"], attribute.String("kurento.session.cause", "server restarted")))
}

func TestEventMetrics(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := kurentotest.NewServer(t)
	c := dial(t, srv, client.WithTracer(h.tracer))
	ctx := testCtx(t)
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	ch, err := p.Subscribe(ctx, "Error")
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"errorCode": i}))
		<-ch
	}
	// A drop, reported as the client reports it.
	h.tracer.TraceEvent(client.EventTrace{ObjectID: p.ID(), Type: "Error", Outcome: client.EventDropped, Count: 5, Err: client.ErrSlowConsumer})

	m := h.metrics(t)
	events := m["kurento.client.events"]
	assert.Equal(t, int64(3), sum(t, events, attribute.String("kurento.event.type", "Error"), attribute.String("kurento.outcome", "delivered")))
	assert.Equal(t, int64(5), sum(t, events, attribute.String("kurento.outcome", "dropped")))
	depth, ok := m["kurento.client.event_queue_depth"].(metricdata.Histogram[int64])
	require.True(t, ok)
	require.Len(t, depth.DataPoints, 1)
	assert.Equal(t, uint64(3), depth.DataPoints[0].Count)
}

func TestWithAttributesLabelsSpansAndMetrics(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tr, err := otelkurento.New(otelkurento.WithTracerProvider(tp), otelkurento.WithMeterProvider(mp),
		otelkurento.WithAttributes(attribute.String("server.address", "kms-1.example")))
	require.NoError(t, err)
	start := client.CallStart{Method: "release", ObjectID: "x_kurento.MediaPipeline", Start: time.Now()}
	tr.TraceCallEnd(tr.TraceCallStart(t.Context(), start), client.CallEnd{CallStart: start})
	require.Len(t, spans.Ended(), 1)
	assert.Equal(t, "kms-1.example", attrs(spans.Ended()[0])["server.address"].AsString())
	h := &harness{reader: reader}
	assert.Equal(t, int64(1), sum(t, h.metrics(t)["kurento.client.calls"], attribute.String("server.address", "kms-1.example")))
}

func TestNewUsesGlobalProvidersByDefault(t *testing.T) {
	t.Parallel()
	tr, err := otelkurento.New()
	require.NoError(t, err)
	// The global providers are no-ops until set: nothing is recorded and
	// nothing fails.
	start := client.CallStart{Method: "ping", Start: time.Now()}
	ctx := tr.TraceCallStart(t.Context(), start)
	tr.TraceCallEnd(ctx, client.CallEnd{CallStart: start})
}
