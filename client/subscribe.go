package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/internal/pump"
)

// unsubscribeTimeout bounds the best-effort unsubscribe sent when the last
// local subscription of an (object, event) ends.
const unsubscribeTimeout = 5 * time.Second

type subKey struct{ object, typ string }

// serverSub is one KMS subscription shared by every local subscription to
// the same (object, event type): KMS keeps one handler per session, object
// and type, so subscribing again would not deliver anything twice anyway.
//
// Its fields are guarded by subscriptions.mu. A serverSub is kept for every
// subscribed (object, event) of the session, so it holds no map and makes
// its channel only when a second subscriber has to wait for the answer.
type serverSub struct {
	key    subKey
	id     string        // KMS subscription id; set with acked
	err    error         // subscribe failure; set with acked
	acked  bool          // KMS answered subscribe
	ready  chan struct{} // made by a subscriber waiting for the answer; closed with acked
	locals []*localSub
}

// eventSink is the queue of one local subscription: a pump delivering
// decoded events, converted, to the application's channel.
type eventSink interface {
	Push(event.Event) (ok, full bool)
	Drain()       // deliver what is queued, then close the channel
	Stop()        // close the channel now
	Closed() bool // the channel is closed
	Len() int     // events queued
}

// localSub is one channel handed to the application. It receives from one
// server subscription, or from several of one object (an ordered stream of
// several event types): one queue, so their events keep the server's order.
type localSub struct {
	p eventSink
	// The fields below are guarded by subscriptions.mu.
	keys   []*serverSub
	unwait func() bool // stops the ctx watcher
	ended  bool
	reason error // why it ended; the first reason wins
}

type subscriptions struct {
	c     *Client
	mu    sync.RWMutex
	byKey map[subKey]*serverSub
	// live holds the channels left draining and not yet known closed, so
	// Close can close those whose consumer stopped reading. Pruned as it
	// grows.
	live      map[*localSub]struct{}
	livePrune int
	wg        sync.WaitGroup // delivery goroutines
}

func (s *subscriptions) init(c *Client) {
	s.c = c
	s.byKey = make(map[subKey]*serverSub)
	s.live = make(map[*localSub]struct{})
	s.livePrune = 64
}

// track records ls as live; called with s.mu held.
func (s *subscriptions) track(ls *localSub) {
	s.live[ls] = struct{}{}
	if len(s.live) < s.livePrune {
		return
	}
	for l := range s.live {
		if l.p.Closed() {
			delete(s.live, l)
		}
	}
	s.livePrune = max(64, 2*len(s.live))
}

// ErrReleased is why an event channel closed when its object (or the
// pipeline holding it) was released through this client.
var ErrReleased = errors.New("kurento: object released")

// Subscription is one event channel and the reason it ended. Make one with
// [SubscribeWith] or [SubscribeEvents], or the generated Events methods of
// the handles; the On<Event> methods hand out only the channel.
//
// What C delivers is in the order KMS sent it, one queue per subscription:
// several event types subscribed together (an ordered stream) keep their
// relative order, while separate subscriptions are independent of each
// other, so one may run ahead of another and none waits for another's
// reader.
//
// C closes exactly once, for one of these reasons, which Err returns:
//   - the ctx given when subscribing ended: context.Cause of it (matching
//     context.Canceled or context.DeadlineExceeded). Queued events are
//     discarded: the consumer asked to stop.
//   - the object, or the pipeline holding it, was released through this
//     client: [ErrReleased], after every event received before the release
//     was delivered.
//   - the session was lost: [ErrSessionLost], after what was queued.
//   - the client was closed: [ErrClosed], at once.
//   - the consumer fell behind by the buffer: an *[OpError] matching
//     [ErrSlowConsumer], after every event that fit the buffer was
//     delivered. This is also reported to [WithErrorHandler] and the
//     logger, or, when neither was given, printed to standard error.
type Subscription[T any] struct {
	ch   <-chan T
	ls   *localSub
	subs *subscriptions
}

// C returns the channel of events. It is the same channel on every call.
func (s *Subscription[T]) C() <-chan T { return s.ch }

// Err returns nil while C is open and, once it is closed, why (see
// [Subscription]). It is safe to call from any goroutine.
func (s *Subscription[T]) Err() error {
	if !s.ls.p.Closed() {
		return nil
	}
	s.subs.mu.RLock()
	defer s.subs.mu.RUnlock()
	return s.ls.reason
}

// SubscriptionOption configures one subscription.
type SubscriptionOption interface{ applySub(*subSettings) error }

type subSettings struct{ buffer int }

type subOptionFunc func(*subSettings) error

func (f subOptionFunc) applySub(s *subSettings) error { return f(s) }

// WithBuffer bounds this subscription's queue at n events instead of the
// client's [WithEventBuffer]. n must be at least 1.
func WithBuffer(n int) SubscriptionOption {
	return subOptionFunc(func(s *subSettings) error {
		if n < 1 {
			return fmt.Errorf("%w: WithBuffer: must be at least 1", ErrInvalidArgument)
		}
		s.buffer = n
		return nil
	})
}

// Subscribe returns the events of type eventType raised by the object, as
// received (see [event.Raw]), once KMS has acknowledged the subscription,
// so no event triggered after Subscribe returns is missed. See
// [Subscription] for the order and for when and why the channel closes;
// [SubscribeWith] also gives the reason.
func (o *Object) Subscribe(ctx context.Context, eventType string) (<-chan event.Raw, error) {
	return Subscribe(ctx, o, eventType, func(r event.Raw) (event.Raw, error) { return r, nil })
}

// Subscribe is [Object.Subscribe] with each event as the type decode
// returns (the typed handles' On<Event> methods pass the event's decoder).
// Events of a type package event knows are decoded once, as they arrive,
// and decode only picks the value out; decode runs on the data of others
// (custom modules' events), on the subscription's own goroutine. An event
// that fails to decode is reported to the error handler and skipped.
func Subscribe[T any](ctx context.Context, o *Object, eventType string, decode func(event.Raw) (T, error)) (<-chan T, error) {
	sub, err := SubscribeWith(ctx, o, eventType, decode)
	if err != nil {
		return nil, err
	}
	return sub.C(), nil
}

// SubscribeWith is [Subscribe] returning the [Subscription], which also
// tells why its channel closed, with options such as [WithBuffer].
func SubscribeWith[T any](ctx context.Context, o *Object, eventType string, decode func(event.Raw) (T, error), opts ...SubscriptionOption) (*Subscription[T], error) {
	conv := func(ev event.Event) (T, bool) {
		if v, ok := ev.(T); ok {
			return v, true
		}
		raw := ev.EventBase().Raw
		if _, undecoded := ev.(event.Raw); undecoded && isKnownEvent(raw.Type) {
			// Package event failed to decode it as it arrived, and that
			// was reported: decoding again would fail the same way.
			var zero T
			return zero, false
		}
		v, err := decode(raw)
		if err != nil {
			o.c.report(&OpError{Method: "event", Operation: raw.Type, ObjectID: raw.Object, Err: err})
			return v, false
		}
		return v, true
	}
	return subscribe(ctx, o, []string{eventType}, conv, opts)
}

// isKnownEvent reports whether package event has a struct for the type.
func isKnownEvent(typ string) bool {
	return event.Known(typ)
}

// SubscribeEvents returns one ordered stream of the events of the given
// types raised by the object: each value is the event's struct from
// package event (such as [event.IceCandidateFound]), or an [event.Raw] for
// a type package event does not know or whose data did not decode (the
// decoding error is reported to the error handler). Select with a type
// switch. The events of all the types arrive in exactly the order KMS sent
// them, so an IceGatheringDone comes after every IceCandidateFound sent
// before it. It returns once KMS acknowledged every type, so nothing
// triggered afterwards is missed; see [Subscription] for when it ends.
func SubscribeEvents(ctx context.Context, o *Object, types []string, opts ...SubscriptionOption) (*Subscription[event.Event], error) {
	if len(types) == 0 {
		return nil, &OpError{Method: kms.MethodSubscribe, ObjectID: o.safeID(), Err: fmt.Errorf("%w: no event type", ErrInvalidArgument)}
	}
	return subscribe(ctx, o, types, func(ev event.Event) (event.Event, bool) { return ev, true }, opts)
}

func subscribe[T any](ctx context.Context, o *Object, types []string, conv func(event.Event) (T, bool), opts []SubscriptionOption) (*Subscription[T], error) {
	method := strings.Join(types, ",")
	r, err := o.usable()
	if err == nil && r.tx != nil {
		err = fmt.Errorf("%w: object is pending in a transaction; subscribe after commit", ErrInvalidArgument)
	}
	if err == nil && slices.Contains(types, "") {
		err = fmt.Errorf("%w: empty event type", ErrInvalidArgument)
	}
	if err != nil {
		return nil, &OpError{Method: kms.MethodSubscribe, Operation: method, ObjectID: o.safeID(), Err: err}
	}
	c := o.c
	set := subSettings{buffer: c.set.eventBuffer}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt.applySub(&set); err != nil {
			return nil, &OpError{Method: kms.MethodSubscribe, Operation: method, ObjectID: r.id, Err: err}
		}
	}
	keys := make([]subKey, 0, len(types))
	for _, t := range types {
		if k := (subKey{object: r.id, typ: t}); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	var p *pump.Pump[event.Event, T]
	if t := c.set.tracer; t != nil {
		conv = tracedConv(t, conv, func() int { return p.Len() })
	}
	p = pump.StartFunc(set.buffer, &c.subs.wg, conv)
	ls := &localSub{p: p}
	if err := c.subs.attach(ctx, ls, keys, r.gen); err != nil {
		return nil, &OpError{Method: kms.MethodSubscribe, Operation: method, ObjectID: r.id, Err: err}
	}
	return &Subscription[T]{ch: p.Out(), ls: ls, subs: &c.subs}, nil
}

// attach joins ls to the server subscriptions of keys, subscribing on KMS
// where nobody shares one yet. On failure ls is ended and nothing is left
// subscribed on its behalf.
func (s *subscriptions) attach(ctx context.Context, ls *localSub, keys []subKey, gen uint64) error {
	// Join every key before any request: an event may follow an ack
	// immediately, and it must find ls.
	type step struct {
		ss   *serverSub
		mine bool          // this call subscribes on KMS
		wait chan struct{} // another call's subscribe is pending
	}
	steps := make([]step, 0, len(keys))
	s.mu.Lock()
	for _, key := range keys {
		ss, shared := s.byKey[key]
		if !shared {
			ss = &serverSub{key: key}
			s.byKey[key] = ss
		}
		ss.locals = append(ss.locals, ls)
		ls.keys = append(ls.keys, ss)
		st := step{ss: ss, mine: !shared}
		if shared && !ss.acked {
			if ss.ready == nil {
				ss.ready = make(chan struct{})
			}
			st.wait = ss.ready
		}
		steps = append(steps, st)
	}
	s.mu.Unlock()

	for _, st := range steps {
		var err error
		switch {
		case st.mine:
			err = s.subscribe(ctx, st.ss, gen)
		case st.wait != nil:
			select {
			case <-st.wait:
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		if err == nil {
			s.mu.RLock()
			err = st.ss.err
			s.mu.RUnlock()
		}
		if err != nil {
			s.end(ls, err, false, true)
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// The read loop may already have ended ls (its buffer overflowed right
	// behind the ack): then its channel closes by itself, with the reason.
	if !ls.ended {
		ls.unwait = context.AfterFunc(ctx, func() { s.cancelled(ctx, ls) })
	}
	return nil
}

// subscribe sends the subscribe request of ss and records the answer.
func (s *subscriptions) subscribe(ctx context.Context, ss *serverSub, gen uint64) error {
	q := &req{c: s.c, gen: gen, Params: kms.Params{Object: ss.key.object, Type: ss.key.typ}}
	var id string
	err := s.c.call(ctx, kms.MethodSubscribe, q, &kms.ValueInto{Value: &id})
	s.mu.Lock()
	ss.id, ss.err, ss.acked = id, err, true
	if ss.ready != nil {
		close(ss.ready)
	}
	if err != nil && s.byKey[ss.key] == ss {
		delete(s.byKey, ss.key)
	}
	// Every local subscription left while KMS was answering: nobody will
	// unsubscribe this one but us.
	orphan := err == nil && len(ss.locals) == 0 && s.byKey[ss.key] != ss
	s.mu.Unlock()
	if orphan {
		s.unsubscribe(ss.key, id)
	}
	return err
}

// cancelled is the ctx watcher of ls: the consumer is gone, so its channel
// closes now, even if it was left draining.
func (s *subscriptions) cancelled(ctx context.Context, ls *localSub) {
	s.end(ls, context.Cause(ctx), false, true)
	ls.p.Stop()
}

// end finishes ls for reason: it leaves its server subscriptions
// (unsubscribing those nobody else shares when unsubscribe is set) and
// closes its channel, after delivering what is queued when drain is set.
// Only the first end of ls counts.
func (s *subscriptions) end(ls *localSub, reason error, drain, unsubscribe bool) {
	s.mu.Lock()
	if ls.ended {
		s.mu.Unlock()
		return
	}
	ls.ended, ls.reason = true, reason
	// A draining channel keeps its ctx watcher, so a consumer that stops
	// reading still has its channel closed when its ctx ends (or by Close).
	var unwait func() bool
	if !drain {
		unwait, ls.unwait = ls.unwait, nil
	} else {
		s.track(ls)
	}
	var gone []*serverSub
	for _, ss := range ls.keys {
		if i := slices.Index(ss.locals, ls); i >= 0 {
			ss.locals = slices.Delete(ss.locals, i, i+1)
		}
		if len(ss.locals) == 0 && s.byKey[ss.key] == ss {
			delete(s.byKey, ss.key)
			gone = append(gone, ss)
		}
	}
	ls.keys = nil
	type sub struct {
		key subKey
		id  string
	}
	var drop []sub
	for _, ss := range gone {
		if ss.id != "" { // not yet acked: subscribe unsubscribes the orphan
			drop = append(drop, sub{ss.key, ss.id})
		}
	}
	s.mu.Unlock()
	if unwait != nil {
		unwait()
	}
	if unsubscribe {
		for _, d := range drop {
			s.unsubscribe(d.key, d.id)
		}
	}
	if drain {
		ls.p.Drain()
	} else {
		ls.p.Stop()
	}
}

// unsubscribe drops a server subscription in the background.
func (s *subscriptions) unsubscribe(key subKey, subID string) {
	c := s.c
	gen := c.sess.Load().gen
	c.background(func(bg context.Context) {
		ctx, cancel := context.WithTimeout(bg, unsubscribeTimeout)
		defer cancel()
		q := &req{c: c, gen: gen, Params: kms.Params{Object: key.object, Subscription: subID}}
		if err := c.call(ctx, kms.MethodUnsubscribe, q, nil); err != nil {
			c.log.Debug("unsubscribe failed", "object_id", key.object, "event", key.typ, "err", err)
		}
	})
}

// wanted reports whether some local subscription receives the events of
// object and type; the others are not even decoded.
func (s *subscriptions) wanted(object, typ string) bool {
	s.mu.RLock()
	_, ok := s.byKey[subKey{object: object, typ: typ}]
	s.mu.RUnlock()
	if !ok {
		s.c.log.Debug("event without a local subscription", "object_id", object, "event", typ)
	}
	return ok
}

// dispatch routes one decoded event to its local subscriptions. It runs on
// the read loop: it only queues.
func (s *subscriptions) dispatch(ev event.Event) {
	raw := ev.EventBase().Raw
	key := subKey{object: raw.Object, typ: raw.Type}
	var slow []*localSub
	s.mu.RLock()
	ss := s.byKey[key]
	if ss != nil {
		for _, ls := range ss.locals {
			if _, full := ls.p.Push(ev); full {
				slow = append(slow, ls)
			}
		}
	}
	s.mu.RUnlock()
	for _, ls := range slow {
		s.c.traceDropped(raw, 1) // what was queued is still delivered
		err := &OpError{Method: kms.MethodSubscribe, Operation: raw.Type, ObjectID: raw.Object, Err: ErrSlowConsumer}
		s.end(ls, err, true, true)
		s.c.report(err)
	}
}

// stopAll closes every channel now (Close).
func (s *subscriptions) stopAll() {
	s.endWhere(func(subKey) bool { return true }, ErrClosed, false)
	s.mu.Lock()
	live := s.live
	s.live = make(map[*localSub]struct{})
	s.mu.Unlock()
	for ls := range live {
		ls.p.Stop()
	}
}

// endObject ends the subscriptions on id and on everything inside it
// (children's ids start with their parent's id and a slash), after they
// delivered what they had received.
func (s *subscriptions) endObject(id string) {
	s.endWhere(func(k subKey) bool {
		return k.object == id || strings.HasPrefix(k.object, id+"/")
	}, ErrReleased, true)
}

// endAll ends every subscription, delivering what is queued (session
// loss).
func (s *subscriptions) endAll() {
	s.endWhere(func(subKey) bool { return true }, ErrSessionLost, true)
}

func (s *subscriptions) endWhere(match func(subKey) bool, reason error, drain bool) {
	var ended []*localSub
	s.mu.RLock()
	for k, ss := range s.byKey {
		if match(k) {
			ended = append(ended, ss.locals...)
		}
	}
	s.mu.RUnlock()
	// The server forgot these subscriptions (released object, lost
	// session) or is about to (Close ends the session): nothing to send.
	for _, ls := range ended {
		s.end(ls, reason, drain, false)
	}
}

// onNotification is the rpc read loop's hook for server notifications.
func (c *Client) onNotification(method string, params json.RawMessage) {
	if method != kms.MethodOnEvent {
		c.log.Warn("ignoring an unknown notification", "method", method)
		return
	}
	ev, wanted, err := event.DecodeParamsFor(params, c.subs.wanted)
	if !wanted {
		return
	}
	if ev == nil {
		c.log.Warn("ignoring a malformed onEvent notification", "err", err)
		return
	}
	raw := ev.EventBase().Raw
	if raw.Object == "" || raw.Type == "" {
		c.log.Warn("ignoring an onEvent notification without object or type")
		return
	}
	if err != nil {
		// Delivered as received: the ordered streams carry it as a Raw.
		c.report(&OpError{Method: "event", Operation: raw.Type, ObjectID: raw.Object, Err: err})
	} else if r, ok := ev.(event.Raw); ok {
		// An event package event does not know: a custom module's, which
		// the client may have been given (WithModule).
		if decode := c.set.events[r.Type]; decode != nil {
			if typed, derr := decode(r); derr == nil {
				ev = typed
			} else {
				c.report(&OpError{Method: "event", Operation: raw.Type, ObjectID: raw.Object, Err: derr})
			}
		}
	}
	c.subs.dispatch(ev)
}
