package client

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gokurento/kurento/event"
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
// event.Raw values, converted, to the application's channel.
type eventSink interface {
	Push(event.Raw) (ok, full bool)
	Drain()       // deliver what is queued, then close the channel
	Stop()        // close the channel now
	Closed() bool // the channel is closed
}

// localSub is one channel handed to the application.
type localSub struct {
	ss     *serverSub
	p      eventSink
	unwait func() bool
}

type subscriptions struct {
	c     *Client
	mu    sync.RWMutex
	byKey map[subKey]*serverSub
	// live holds the channels left draining (session lost) and not yet
	// known closed, so Close can close those whose consumer stopped
	// reading. Pruned as it grows.
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

// stopAll closes every channel now (Close).
func (s *subscriptions) stopAll() {
	s.endWhere(func(subKey) bool { return true }, false)
	s.mu.Lock()
	live := s.live
	s.live = make(map[*localSub]struct{})
	s.mu.Unlock()
	for ls := range live {
		ls.p.Stop()
	}
}

// Subscribe returns the events of type eventType raised by the object, as
// received (see [event.Raw]), once KMS has acknowledged the subscription,
// so no event triggered after Subscribe returns is missed. Events are
// delivered in order. The channel is closed when ctx ends (the server
// subscription is dropped when no other local subscription shares it), when
// the object is released through this client, when the session is lost or
// when the client closes. A consumer that falls behind by the event buffer
// (see [WithEventBuffer]) has its subscription ended with [ErrSlowConsumer].
func (o *Object) Subscribe(ctx context.Context, eventType string) (<-chan event.Raw, error) {
	return Subscribe(ctx, o, eventType, func(r event.Raw) (event.Raw, error) { return r, nil })
}

// Subscribe is [Object.Subscribe] with each event converted by decode on the
// subscription's own goroutine (typed handles pass their event decoder). An
// event that fails to decode is reported to the error handler and skipped.
func Subscribe[T any](ctx context.Context, o *Object, eventType string, decode func(event.Raw) (T, error)) (<-chan T, error) {
	r, err := o.usable()
	if err == nil && r.tx != nil {
		err = fmt.Errorf("%w: object is pending in a transaction; subscribe after commit", ErrInvalidArgument)
	}
	if err == nil && eventType == "" {
		err = fmt.Errorf("%w: empty event type", ErrInvalidArgument)
	}
	if err != nil {
		return nil, &OpError{Op: "subscribe", Method: eventType, ObjectID: o.safeID(), Err: err}
	}
	c := o.c
	conv := func(raw event.Raw) (T, bool) {
		v, err := decode(raw)
		if err != nil {
			c.report(&OpError{Op: "event", Method: raw.Type, ObjectID: raw.Object, Err: err})
			return v, false
		}
		return v, true
	}
	p := pump.StartFunc(c.set.eventBuffer, &c.subs.wg, conv)
	ls := &localSub{p: p}
	if err := c.subs.attach(ctx, ls, subKey{object: r.id, typ: eventType}, r.gen); err != nil {
		p.Stop()
		return nil, &OpError{Op: "subscribe", Method: eventType, ObjectID: r.id, Err: err}
	}
	return p.Out(), nil
}

// attach joins ls to the server subscription of key, subscribing on KMS
// first if nobody shares it yet.
func (s *subscriptions) attach(ctx context.Context, ls *localSub, key subKey, gen uint64) error {
	s.mu.Lock()
	ss, shared := s.byKey[key]
	if !shared {
		ss = &serverSub{key: key}
		s.byKey[key] = ss
	}
	ls.ss = ss
	// Attached before KMS answers: an event may follow the ack immediately.
	ss.locals = append(ss.locals, ls)
	var wait chan struct{}
	if shared && !ss.acked {
		if ss.ready == nil {
			ss.ready = make(chan struct{})
		}
		wait = ss.ready
	}
	err := ss.err
	s.mu.Unlock()

	switch {
	case !shared:
		var res valueResult
		q := &req{c: s.c, gen: gen, object: key.object, typ: key.typ}
		err = s.c.call(ctx, "subscribe", q, &res)
		var id string
		if err == nil {
			err = json.Unmarshal(res.Value, &id)
		}
		s.mu.Lock()
		ss.id, ss.err, ss.acked = id, err, true
		if ss.ready != nil {
			close(ss.ready)
		}
		if err != nil && s.byKey[key] == ss {
			delete(s.byKey, key)
		}
		s.mu.Unlock()
	case wait != nil:
		select {
		case <-wait:
		case <-ctx.Done():
			s.detach(ls, true)
			return ctx.Err()
		}
		s.mu.RLock()
		err = ss.err
		s.mu.RUnlock()
	}
	if err != nil {
		return err
	}
	ls.unwait = context.AfterFunc(ctx, func() {
		s.detach(ls, true)
		ls.p.Stop()
	})
	return nil
}

// detach removes ls; the last one out drops the server subscription.
func (s *subscriptions) detach(ls *localSub, unsubscribe bool) {
	ss := ls.ss
	s.mu.Lock()
	i := slices.Index(ss.locals, ls)
	if i >= 0 {
		ss.locals = slices.Delete(ss.locals, i, i+1)
	}
	last := i >= 0 && len(ss.locals) == 0 && s.byKey[ss.key] == ss
	if last {
		delete(s.byKey, ss.key)
	}
	subID := ss.id
	s.mu.Unlock()
	if !last || !unsubscribe || subID == "" {
		return
	}
	c := s.c
	gen := c.sess.Load().gen
	c.background(func(bg context.Context) {
		ctx, cancel := context.WithTimeout(bg, unsubscribeTimeout)
		defer cancel()
		q := &req{c: c, gen: gen, object: ss.key.object, subID: subID}
		if err := c.call(ctx, "unsubscribe", q, nil); err != nil {
			c.log.Debug("unsubscribe failed", "object_id", ss.key.object, "event", ss.key.typ, "err", err)
		}
	})
}

// dispatch routes one event to its local subscriptions. It runs on the read
// loop: it only queues.
func (s *subscriptions) dispatch(raw event.Raw) {
	key := subKey{object: raw.Object, typ: raw.Type}
	var slow []*localSub
	s.mu.RLock()
	ss := s.byKey[key]
	if ss != nil {
		for _, ls := range ss.locals {
			if _, full := ls.p.Push(raw); full {
				slow = append(slow, ls)
			}
		}
	}
	s.mu.RUnlock()
	if ss == nil {
		s.c.log.Debug("event without a local subscription", "object_id", raw.Object, "event", raw.Type)
	}
	for _, ls := range slow {
		s.end(ls, true, false)
		s.c.report(&OpError{Op: "subscribe", Method: raw.Type, ObjectID: raw.Object, Err: ErrSlowConsumer})
	}
}

// end finishes ls: detach it, and close its channel (after delivering what
// is queued when drain is set).
func (s *subscriptions) end(ls *localSub, unsubscribe, drain bool) {
	s.detach(ls, unsubscribe)
	if drain {
		s.mu.Lock()
		s.track(ls)
		s.mu.Unlock()
		ls.p.Drain()
		return
	}
	if ls.unwait != nil {
		ls.unwait()
	}
	ls.p.Stop()
}

// endObject ends the subscriptions on id and on everything inside it
// (children's ids start with their parent's id and a slash).
func (s *subscriptions) endObject(id string) {
	s.endWhere(func(k subKey) bool {
		return k.object == id || strings.HasPrefix(k.object, id+"/")
	}, true)
}

// endAll ends every subscription, delivering what is queued (session
// loss). The ctx watchers stay: a consumer that stops reading still has its
// channel closed when its ctx ends, or by Close.
func (s *subscriptions) endAll() {
	s.endWhere(func(subKey) bool { return true }, true)
}

func (s *subscriptions) endWhere(match func(subKey) bool, drain bool) {
	var ended []*localSub
	s.mu.Lock()
	for k, ss := range s.byKey {
		if !match(k) {
			continue
		}
		delete(s.byKey, k)
		ended = append(ended, ss.locals...)
		ss.locals = nil
	}
	if drain {
		for _, ls := range ended {
			s.track(ls)
		}
	}
	s.mu.Unlock()
	for _, ls := range ended {
		if drain {
			ls.p.Drain()
		} else {
			ls.p.Stop()
		}
	}
}

// onNotification is the rpc read loop's hook for server notifications.
func (c *Client) onNotification(method string, params json.RawMessage) {
	if method != "onEvent" {
		c.log.Warn("ignoring an unknown notification", "method", method)
		return
	}
	raw, err := event.ParseParams(params)
	if err != nil || raw.Object == "" || raw.Type == "" {
		c.log.Warn("ignoring a malformed onEvent notification", "err", err)
		return
	}
	c.subs.dispatch(raw)
}
