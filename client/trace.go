package client

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/rpc"
)

// Tracer observes a client: every request it sends, every connection state
// change, session loss, and the delivery and loss of events. It is how
// metrics, traces and audit logs plug in (the otelkurento module is one
// implementation); set it with [WithTracer].
//
// The client calls a Tracer synchronously and never from the connection's
// read loop: call hooks run on the calling goroutine, state and session
// hooks on the goroutine that connects or closes, event hooks on the
// subscription's delivery goroutine (drops on a background goroutine).
// Hooks must be safe for concurrent use and must return quickly: a slow
// TraceEvent delays that subscription's events, a slow TraceCallEnd the
// caller. A Tracer must not call back into the client from
// TraceCallResend, TraceStateChange or TraceSessionLost: they run while
// the connection is being set up and a call would wait for itself.
//
// The requests of the connection's own upkeep (the handshake's connect and
// describe, keepalive pings, closeSession) are not calls of the
// application and are not traced; their effect shows as state changes.
//
// Embed [NopTracer] to implement only some hooks and stay source compatible
// when hooks are added.
type Tracer interface {
	// TraceCallStart runs before a request is sent. The context it returns
	// is the one the request is made with and the one TraceCallResend and
	// TraceCallEnd receive (a span can ride on it).
	TraceCallStart(ctx context.Context, call CallStart) context.Context
	// TraceCallResend runs when a request in flight on a socket that died
	// is about to be sent again, with the same id, on the socket of a
	// resumed session.
	TraceCallResend(ctx context.Context, call CallStart)
	// TraceCallEnd runs once per TraceCallStart, when the call returns.
	TraceCallEnd(ctx context.Context, call CallEnd)
	// TraceStateChange runs on every connection state change, in order.
	// It is not ordered with [Client.StateChanges]: a subscriber may hear
	// of a change before or after the tracer.
	TraceStateChange(change rpc.StateChange)
	// TraceSessionLost runs when a reconnect found the session gone and a
	// fresh one started (before the matching state change).
	TraceSessionLost(lost SessionLost)
	// TraceEvent runs when an event leaves a subscription's queue for the
	// application's channel, and when events are dropped.
	TraceEvent(ev EventTrace)
}

// CallStart describes one request.
type CallStart struct {
	Method    string // JSON-RPC method: create, invoke, subscribe, release, transaction, ...
	Operation string // invoke: the operation, e.g. "getName"
	ObjectID  string // the target object, when there is one
	// Class is the class created (create) or the target object's class
	// as its id tells it (KMS ids end in "_<module>.<Class>").
	Class     string
	EventType string // subscribe: the event type
	Ops       int    // transaction: the number of operations batched
	Start     time.Time
}

// CallEnd is a finished request.
type CallEnd struct {
	CallStart
	Duration time.Duration
	Err      error // nil on success
	// Code is the Kurento or JSON-RPC error code of a server error reply,
	// 0 otherwise (success or a local failure, see [IsLocal]).
	Code   Code
	Resent int // how many times it was sent again after a resumed session
}

// SessionLost says which session was lost and which replaced it.
type SessionLost struct {
	OldSessionID string
	NewSessionID string
	ServerID     string // the server id the new session lives on
	Cause        string // "server restarted" or "session expired or server restarted"
}

// EventOutcome says what happened to events reported by TraceEvent.
type EventOutcome int

// Event outcomes.
const (
	// EventDelivered: one event left the queue for the consumer's channel.
	EventDelivered EventOutcome = iota
	// EventDropped: Count events will never reach the consumer: the
	// subscription overflowed ([ErrSlowConsumer]) or an event could not
	// be decoded.
	EventDropped
)

func (o EventOutcome) String() string {
	if o == EventDropped {
		return "dropped"
	}
	return "delivered"
}

// EventTrace is one TraceEvent report.
type EventTrace struct {
	ObjectID string
	Type     string // event type, e.g. "IceCandidateFound"
	Outcome  EventOutcome
	Count    int // events concerned: 1 when delivered
	// QueueDepth is how many events of this subscription were still
	// queued after this one left (delivered), so a growing value means a
	// consumer falling behind.
	QueueDepth int
	Err        error // why events were dropped
}

// NopTracer does nothing. Embed it in a Tracer that implements only some
// hooks.
type NopTracer struct{}

// TraceCallStart returns ctx.
func (NopTracer) TraceCallStart(ctx context.Context, _ CallStart) context.Context { return ctx }

// TraceCallResend does nothing.
func (NopTracer) TraceCallResend(context.Context, CallStart) {}

// TraceCallEnd does nothing.
func (NopTracer) TraceCallEnd(context.Context, CallEnd) {}

// TraceStateChange does nothing.
func (NopTracer) TraceStateChange(rpc.StateChange) {}

// TraceSessionLost does nothing.
func (NopTracer) TraceSessionLost(SessionLost) {}

// TraceEvent does nothing.
func (NopTracer) TraceEvent(EventTrace) {}

var _ Tracer = NopTracer{}

// WithTracer installs t; see [Tracer]. Default: none, and then tracing
// costs a nil check per call and allocates nothing.
func WithTracer(t Tracer) Option {
	return optionFunc(func(s *settings) error {
		if t == nil {
			return errors.New("kurento: WithTracer: nil tracer")
		}
		s.tracer = t
		s.rpc.ResendHooks = true
		return nil
	})
}

// tracedCall is call with the tracer's hooks around it.
func (c *Client) tracedCall(ctx context.Context, method string, params rpc.ParamsAppender, result any) error {
	t := c.set.tracer
	info := CallStart{Method: method, Start: time.Now()}
	if r, ok := params.(*req); ok {
		info.ObjectID, info.Operation, info.Ops = r.Object, r.Operation, len(r.Operations)
		info.Class = classOf(r.Object)
		switch method {
		case kms.MethodCreate:
			info.Class = r.Type
		case kms.MethodSubscribe:
			info.EventType = r.Type
		}
	}
	tctx := t.TraceCallStart(ctx, info)
	var resent atomic.Int32
	hooked := rpc.WithResendHook(tctx, func() {
		resent.Add(1)
		t.TraceCallResend(tctx, info)
	})
	err := convert(c.conn.Call(hooked, method, params, result))
	end := CallEnd{CallStart: info, Duration: time.Since(info.Start), Err: err, Resent: int(resent.Load())}
	var se *Error
	if errors.As(err, &se) {
		end.Code = se.Code
	}
	t.TraceCallEnd(tctx, end)
	return err
}

// tracedConv wraps a subscription's conversion so that each event leaving
// the queue is reported; depth reads the queue length. It runs on the
// subscription's delivery goroutine.
func tracedConv[T any](t Tracer, conv func(event.Event) (T, bool), depth func() int) func(event.Event) (T, bool) {
	return func(ev event.Event) (T, bool) {
		v, ok := conv(ev)
		raw := ev.EventBase().Raw
		tr := EventTrace{ObjectID: raw.Object, Type: raw.Type, Count: 1, QueueDepth: depth()}
		if !ok {
			tr.Outcome, tr.Err = EventDropped, errEventUndecodable
		}
		t.TraceEvent(tr)
		return v, ok
	}
}

var errEventUndecodable = errors.New("kurento: event could not be decoded")

// traceDropped reports n events of raw's subscription lost to overflow. It
// is called from the read loop, so the tracer runs on a background
// goroutine.
func (c *Client) traceDropped(raw event.Raw, n int) {
	t := c.set.tracer
	if t == nil {
		return
	}
	c.background(func(context.Context) {
		t.TraceEvent(EventTrace{ObjectID: raw.Object, Type: raw.Type, Outcome: EventDropped, Count: n, Err: ErrSlowConsumer})
	})
}

// traceSessionLost reports a lost session, if a tracer is set.
func (c *Client) traceSessionLost(l SessionLost) {
	if t := c.set.tracer; t != nil {
		t.TraceSessionLost(l)
	}
}

// classOf reads the class at the end of a KMS object id (see
// kms.ClassOfID).
func classOf(id string) string { return kms.ClassOfID(id) }
