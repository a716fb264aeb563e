package otelkurento

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/rpc"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the spans and metrics.
const ScopeName = "github.com/gokurento/kurento/otelkurento"

// Kurento attribute keys.
const (
	ObjectIDKey      = attribute.Key("kurento.object.id")
	ObjectClassKey   = attribute.Key("kurento.object.class")
	OperationKey     = attribute.Key("kurento.operation")
	EventTypeKey     = attribute.Key("kurento.event.type")
	TxOperationsKey  = attribute.Key("kurento.transaction.operations")
	ResentKey        = attribute.Key("kurento.resent")
	OutcomeKey       = attribute.Key("kurento.outcome")
	StateKey         = attribute.Key("kurento.state")
	ReasonKey        = attribute.Key("kurento.reason")
	SessionCauseKey  = attribute.Key("kurento.session.cause")
	ErrorMessageKey  = attribute.Key("kurento.error.message")
	outcomeOK        = "ok"
	outcomeServer    = "server_error"
	outcomeLocal     = "local_error"
	outcomeDelivered = "delivered"
	outcomeDropped   = "dropped"
)

// Option configures New.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tp    trace.TracerProvider
	mp    metric.MeterProvider
	attrs []attribute.KeyValue
}

// WithTracerProvider sets where spans go. Default: otel.GetTracerProvider().
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tp = tp })
}

// WithMeterProvider sets where metrics go. Default: otel.GetMeterProvider().
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) { c.mp = mp })
}

// WithAttributes adds attrs to every span and every call metric, e.g.
// semconv.ServerAddress and semconv.ServerPort of the KMS the client talks
// to (a Tracer does not know the client's URL).
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) { c.attrs = append(c.attrs, attrs...) })
}

// Tracer implements client.Tracer with OpenTelemetry; pass it to
// client.WithTracer.
type Tracer struct {
	tracer trace.Tracer
	attrs  []attribute.KeyValue // from WithAttributes

	duration     metric.Float64Histogram
	calls        metric.Int64Counter
	resends      metric.Int64Counter
	stateChanges metric.Int64Counter
	reconnects   metric.Int64Counter
	sessionsLost metric.Int64Counter
	events       metric.Int64Counter
	queueDepth   metric.Int64Histogram

	// inFlight holds the spans of calls not yet ended, so connection
	// events can be recorded on them.
	mu       sync.Mutex
	inFlight map[spanKey]trace.Span
}

// spanKey identifies a span; spans themselves need not be comparable.
type spanKey struct {
	trace trace.TraceID
	span  trace.SpanID
}

func keyOf(s trace.Span) spanKey {
	sc := s.SpanContext()
	return spanKey{sc.TraceID(), sc.SpanID()}
}

var _ client.Tracer = (*Tracer)(nil)

// New returns a Tracer reporting to the configured providers. It fails only
// if an instrument cannot be created.
func New(opts ...Option) (*Tracer, error) {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	m := cfg.mp.Meter(ScopeName)
	t := &Tracer{tracer: cfg.tp.Tracer(ScopeName), attrs: cfg.attrs, inFlight: map[spanKey]trace.Span{}}
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	var err error
	t.duration, err = m.Float64Histogram("rpc.client.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of Kurento requests, from the call until its result"))
	add(err)
	t.calls, err = m.Int64Counter("kurento.client.calls", metric.WithUnit("{call}"),
		metric.WithDescription("Kurento requests by method and outcome"))
	add(err)
	t.resends, err = m.Int64Counter("kurento.client.resends", metric.WithUnit("{call}"),
		metric.WithDescription("Requests sent again, same id, after a resumed session"))
	add(err)
	t.stateChanges, err = m.Int64Counter("kurento.client.state_changes", metric.WithUnit("{change}"),
		metric.WithDescription("Connection state changes by state and reason"))
	add(err)
	t.reconnects, err = m.Int64Counter("kurento.client.reconnects", metric.WithUnit("{reconnect}"),
		metric.WithDescription("Connection losses that started a reconnect"))
	add(err)
	t.sessionsLost, err = m.Int64Counter("kurento.client.sessions_lost", metric.WithUnit("{session}"),
		metric.WithDescription("Sessions found gone after a reconnect (KMS restarted or expired them)"))
	add(err)
	t.events, err = m.Int64Counter("kurento.client.events", metric.WithUnit("{event}"),
		metric.WithDescription("Events delivered to the application or dropped"))
	add(err)
	t.queueDepth, err = m.Int64Histogram("kurento.client.event_queue_depth", metric.WithUnit("{event}"),
		metric.WithDescription("Events still queued in a subscription when one is delivered"))
	add(err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return t, nil
}

// spanName is low-cardinality: the method, and for invokes the operation
// (a closed set: the IDL's methods and property accessors).
func spanName(c client.CallStart) string {
	if c.Method == "invoke" && c.Operation != "" {
		return "kurento/invoke/" + c.Operation
	}
	return "kurento/" + c.Method
}

// TraceCallStart starts the call's span.
func (t *Tracer) TraceCallStart(ctx context.Context, c client.CallStart) context.Context {
	attrs := make([]attribute.KeyValue, 0, 8+len(t.attrs))
	attrs = append(attrs, t.attrs...)
	attrs = append(attrs,
		semconv.RPCSystemNameJSONRPC,
		semconv.RPCMethod(c.Method),
		semconv.JSONRPCProtocolVersion("2.0"),
	)
	if c.ObjectID != "" {
		attrs = append(attrs, ObjectIDKey.String(c.ObjectID))
	}
	if c.Class != "" {
		attrs = append(attrs, ObjectClassKey.String(c.Class))
	}
	if c.Operation != "" {
		attrs = append(attrs, OperationKey.String(c.Operation))
	}
	if c.EventType != "" {
		attrs = append(attrs, EventTypeKey.String(c.EventType))
	}
	if c.Ops > 0 {
		attrs = append(attrs, TxOperationsKey.Int(c.Ops))
	}
	ctx, span := t.tracer.Start(ctx, spanName(c),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(c.Start), trace.WithAttributes(attrs...))
	if span.IsRecording() {
		t.mu.Lock()
		t.inFlight[keyOf(span)] = span
		t.mu.Unlock()
	}
	return ctx
}

// TraceCallResend records the resend on the call's span.
func (t *Tracer) TraceCallResend(ctx context.Context, c client.CallStart) {
	trace.SpanFromContext(ctx).AddEvent("kurento.resend")
	t.resends.Add(ctx, 1, metric.WithAttributes(semconv.RPCMethod(c.Method)))
}

// TraceCallEnd ends the call's span and records its metrics.
func (t *Tracer) TraceCallEnd(ctx context.Context, c client.CallEnd) {
	span := trace.SpanFromContext(ctx)
	outcome := outcomeOK
	metricAttrs := make([]attribute.KeyValue, 0, 6+len(t.attrs))
	metricAttrs = append(metricAttrs, t.attrs...)
	metricAttrs = append(metricAttrs, semconv.RPCSystemNameJSONRPC, semconv.RPCMethod(c.Method))
	if c.Operation != "" {
		metricAttrs = append(metricAttrs, OperationKey.String(c.Operation))
	}
	switch {
	case c.Err == nil:
	case c.Code != 0:
		outcome = outcomeServer
		code := strconv.Itoa(int(c.Code))
		span.SetAttributes(semconv.RPCResponseStatusCode(code), semconv.ErrorTypeKey.String(code))
		metricAttrs = append(metricAttrs, semconv.RPCResponseStatusCode(code))
	default:
		outcome = outcomeLocal
		span.SetAttributes(semconv.ErrorTypeKey.String(localErrorType(c.Err)))
	}
	if c.Err != nil {
		span.SetStatus(codes.Error, c.Err.Error())
	}
	if c.Resent > 0 {
		span.SetAttributes(ResentKey.Int(c.Resent))
	}
	if span.IsRecording() {
		t.mu.Lock()
		delete(t.inFlight, keyOf(span))
		t.mu.Unlock()
	}
	span.End(trace.WithTimestamp(c.Start.Add(c.Duration)))

	metricAttrs = append(metricAttrs, OutcomeKey.String(outcome))
	set := metric.WithAttributeSet(attribute.NewSet(metricAttrs...))
	t.duration.Record(ctx, c.Duration.Seconds(), set)
	t.calls.Add(ctx, 1, set)
}

// localErrorType names a failure that got no answer from the server.
func localErrorType(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, client.ErrSessionLost):
		return "session_lost"
	case errors.Is(err, client.ErrConnectionLost):
		return "connection_lost"
	case errors.Is(err, client.ErrClosed):
		return "closed"
	case errors.Is(err, client.ErrInvalidArgument):
		return "invalid_argument"
	}
	return "_OTHER"
}

// TraceStateChange counts the change and marks the spans in flight.
func (t *Tracer) TraceStateChange(sc rpc.StateChange) {
	ctx := context.Background()
	attrs := metric.WithAttributes(StateKey.String(sc.State.String()), ReasonKey.String(sc.Reason.String()))
	t.stateChanges.Add(ctx, 1, attrs)
	var name string
	switch {
	case sc.State == rpc.Reconnecting:
		t.reconnects.Add(ctx, 1, metric.WithAttributes(ReasonKey.String(sc.Reason.String())))
		name = "kurento.connection.lost"
	case sc.State == rpc.Ready && sc.Reason == rpc.ReasonResumed:
		name = "kurento.session.resumed"
	case sc.State == rpc.Ready && sc.Reason == rpc.ReasonSessionLost:
		name = "kurento.session.lost"
	default:
		return
	}
	evAttrs := []attribute.KeyValue{ReasonKey.String(sc.Reason.String())}
	if sc.Err != nil {
		evAttrs = append(evAttrs, ErrorMessageKey.String(sc.Err.Error()))
	}
	t.mu.Lock()
	spans := make([]trace.Span, 0, len(t.inFlight))
	for _, s := range t.inFlight {
		spans = append(spans, s)
	}
	t.mu.Unlock()
	for _, s := range spans {
		s.AddEvent(name, trace.WithAttributes(evAttrs...))
	}
}

// TraceSessionLost counts the loss.
func (t *Tracer) TraceSessionLost(l client.SessionLost) {
	t.sessionsLost.Add(context.Background(), 1, metric.WithAttributes(SessionCauseKey.String(l.Cause)))
}

// TraceEvent counts delivered and dropped events and records the queue
// depth seen at each delivery.
func (t *Tracer) TraceEvent(ev client.EventTrace) {
	ctx := context.Background()
	outcome := outcomeDelivered
	if ev.Outcome == client.EventDropped {
		outcome = outcomeDropped
	}
	t.events.Add(ctx, int64(ev.Count), metric.WithAttributes(EventTypeKey.String(ev.Type), OutcomeKey.String(outcome)))
	if ev.Outcome == client.EventDelivered {
		t.queueDepth.Record(ctx, int64(ev.QueueDepth), metric.WithAttributes(EventTypeKey.String(ev.Type)))
	}
}
