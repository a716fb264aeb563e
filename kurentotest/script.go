package kurentotest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/gokurento/kurento/internal/kms"
)

// Object is a snapshot of a media object.
type Object struct {
	ID     string
	Type   string // class name, e.g. "WebRtcEndpoint"
	Parent string // "" for pipelines and the ServerManager
	// Children are the ids of the live children, in creation order.
	Children []string
	// Owners are the sessions that reference the object, sorted.
	Owners []string
	// Properties are the stored property and constructor values as JSON
	// trees (string, bool, json.Number, []any, map[string]any, nil).
	Properties map[string]any
	// Tags are the object's tags (addTag).
	Tags map[string]string
	// CreationTime is when the object was created.
	CreationTime time.Time
}

// Subscription is the event handler of one (session, object, event type).
type Subscription struct {
	Session, Object, Event string
	// IDs are the subscription ids attached to the handler (several when a
	// session subscribed more than once); the event is sent once anyway.
	IDs []string
}

func (o *object) snapshot() Object {
	owners := slices.Sorted(maps.Keys(o.owners))
	tags := make(map[string]string, len(o.tags))
	for _, t := range o.tags {
		tags[t.key] = t.value
	}
	return Object{
		ID:           o.id,
		Type:         o.typ,
		Parent:       o.parent,
		Children:     slices.Clone(o.children),
		Owners:       owners,
		Properties:   maps.Clone(o.props),
		Tags:         tags,
		CreationTime: o.created,
	}
}

// Objects returns every live object (the ServerManager first, then in
// creation order).
func (s *Server) Objects() []Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Object, 0, len(s.st.order))
	for _, id := range s.st.order {
		out = append(out, s.st.objects[id].snapshot())
	}
	return out
}

// Object returns the object with the given id.
func (s *Server) Object(id string) (Object, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.st.objects[id]
	if !ok {
		return Object{}, false
	}
	return o.snapshot(), true
}

// Sessions returns the registered session ids, sorted. A session is
// registered when it first creates or looks up an object.
func (s *Server) Sessions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.st.sessions))
}

// BoundSession returns the session bound to the socket numbered conn, if any.
func (s *Server) BoundSession(conn int) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.n == conn && c.session != "" {
			return c.session, true
		}
	}
	return "", false
}

// Subscriptions returns the event handlers, sorted by session, object and
// event.
func (s *Server) Subscriptions() []Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Subscription, 0, len(s.st.subs))
	for k, h := range s.st.subs {
		out = append(out, Subscription{Session: k.session, Object: k.object, Event: k.event, IDs: slices.Clone(h.ids)})
	}
	slices.SortFunc(out, func(a, b Subscription) int {
		switch {
		case a.Session != b.Session:
			return cmpString(a.Session, b.Session)
		case a.Object != b.Object:
			return cmpString(a.Object, b.Object)
		}
		return cmpString(a.Event, b.Event)
	})
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Call is one request frame the server received.
type Call struct {
	// Conn numbers the socket the frame came on (1 for the first socket).
	Conn int
	// SessionID is the request's session id after insertion from the
	// socket binding ("" when it had none).
	SessionID string
	// ID is the raw JSON text of the request id ("" for a notification).
	ID string
	// Method is the JSON-RPC method.
	Method string
	// Object and Operation are set for requests that carry them
	// (invoke, describe, release, subscribe...).
	Object, Operation string
	// Params is the params member after session id insertion (nil if none).
	Params json.RawMessage
	// Time is when the frame was received.
	Time time.Time
	// Cached is true when the reply came from the reply cache: the request
	// was not executed.
	Cached bool
	// Reacted is true when a [Reaction] applied to this call.
	Reacted bool
}

// logCall appends call to the log and wakes the waiters of WaitCall.
// Called with s.mu held.
func (s *Server) logCall(call Call) {
	s.calls = append(s.calls, call)
	// A bounded log keeps up to twice its bound and then drops the oldest
	// half at once: amortised O(1) per call, flat memory.
	if n := s.opts.callLog; n > 0 && len(s.calls) >= 2*n {
		drop := len(s.calls) - n
		kept := copy(s.calls, s.calls[drop:])
		clear(s.calls[kept:])
		s.calls = s.calls[:kept]
		s.callsDropped += drop
	}
	close(s.callLogged)
	s.callLogged = make(chan struct{})
}

// Calls returns the call log: one entry per request frame received, in
// order. Frames that are not JSON-RPC requests are not logged. With
// [WithCallLog] only the most recent calls are kept.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.opts.callLog; n > 0 && len(s.calls) > n {
		return slices.Clone(s.calls[len(s.calls)-n:])
	}
	return slices.Clone(s.calls)
}

// callsFrom returns the logged calls from absolute position next on (those
// still kept). Called with s.mu held.
func (s *Server) callsFrom(next int) []Call {
	return slices.Clone(s.calls[max(next-s.callsDropped, 0):])
}

// WaitCall returns the first call of the log, already logged or logged
// later, for which match reports true (a nil match accepts every call). It
// returns ctx's error if ctx ends first, and [ErrServerClosed] if the server
// is closed with no matching call logged.
//
// A request is logged, executed and its reply queued in one step, so when
// WaitCall returns the call's effect on the server state is visible (in
// [Server.Objects] and the like) and its reply is on its way, unless a
// [Reaction] delays or swallows it. It waits on a notification, without
// polling, so it also works inside a testing/synctest bubble. match sees
// each call at most once, in log order, without the server's lock held; it
// may call methods of the server.
//
// Repeated waits for the same match return the same call; to wait for a
// later one, match on something that tells them apart, or count matches
// in match.
func (s *Server) WaitCall(ctx context.Context, match func(Call) bool) (Call, error) {
	if match == nil {
		match = func(Call) bool { return true }
	}
	next := 0
	for {
		s.mu.Lock()
		fresh := s.callsFrom(next)
		logged := s.callLogged
		end := s.callsDropped + len(s.calls)
		s.mu.Unlock()
		for _, c := range fresh {
			if match(c) {
				return c, nil
			}
		}
		next = end
		select {
		case <-logged:
		case <-ctx.Done():
			return Call{}, ctx.Err()
		case <-s.done:
			// No call is logged once closed is set, which Close does
			// before closing done: one last look sees the whole log.
			s.mu.Lock()
			fresh = s.callsFrom(next)
			s.mu.Unlock()
			for _, c := range fresh {
				if match(c) {
					return c, nil
				}
			}
			return Call{}, ErrServerClosed
		}
	}
}

// Emit sends event eventType of object objectID to every session subscribed
// to it (through the socket bound to each session; unbound sessions miss
// it, as with KMS). data is any value that marshals to a JSON object with
// the event's own fields; source, timestampMillis, tags and type are filled
// like KMS when absent, and other missing fields get zero values.
func (s *Server) Emit(objectID, eventType string, data any) error {
	var fields map[string]any
	if data != nil {
		t, err := toTree(data)
		if err != nil {
			return fmt.Errorf("emit: %w", err)
		}
		m, ok := t.(map[string]any)
		if !ok && t != nil {
			return errors.New("emit: data must marshal to a json object")
		}
		fields = m
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.st.objects[objectID]
	if !ok {
		return fmt.Errorf("emit: object %q not found", objectID)
	}
	if !s.cat.hasEvent(o.typ, eventType) {
		return fmt.Errorf("emit: %s has no event %q", o.typ, eventType)
	}
	s.st.emit(objectID, eventType, fields)
	return nil
}

// Swallow says what happens to a call whose reply a [Reaction] swallows.
type Swallow int

const (
	// SwallowNone replies normally.
	SwallowNone Swallow = iota
	// SwallowExecuted executes the call (its reply is stored in the reply
	// cache) but never sends the reply.
	SwallowExecuted
	// SwallowUnexecuted neither executes nor answers the call; nothing is
	// cached, so a resend executes it.
	SwallowUnexecuted
)

// Failure is an error reply chosen by a test.
type Failure struct {
	Code    int
	Message string
}

func (f *Failure) rpcError() *rpcError {
	if f.Code < 0 && f.Code >= -32768 {
		return plainError(kms.Code(f.Code), f.Message)
	}
	return kmsError(kms.Code(f.Code), f.Message)
}

// Reaction changes how the server answers matching calls.
//
// A reaction applies to calls that reach execution, not to those answered
// from the reply cache. Fail replaces execution by an error reply (cached
// like any reply; data.type is the code's name, no data for negative
// JSON-RPC codes). Delay postpones the reply (the call executes at once,
// so the reply cache already holds it); other calls on the socket are not
// held up, so replies can overtake each other.
type Reaction struct {
	Delay   time.Duration
	Fail    *Failure
	Swallow Swallow
	// Times is how many calls the reaction applies to; the zero value is
	// one call (Once). Always makes it apply to every call until
	// ClearReactions, and Times must then be zero.
	Times  int
	Always bool
}

// Once is the count of a reaction that applies to one call, the zero
// value of [Reaction.Times] spelled out.
const Once = 1

type reactionEntry struct {
	method    string // the JSON-RPC method it applies to, if any
	operation string // the invoke operation it applies to, if any
	r         Reaction
	left      int
}

// React installs a reaction for name. A method of the Kurento protocol
// ("ping", "connect", "create", "transaction"...) is that JSON-RPC method
// only, so React("connect") targets the session handshake, never
// MediaElement.connect ([Server.ReactOperation] targets that). Any other
// name is an invoke operation ("processOffer", "getName"...) or a JSON-RPC
// method outside the protocol, whichever arrives. For invoke
// requests a reaction on the operation takes precedence over one on
// "invoke". Reactions for the same target apply in the order they were
// installed. It panics on a reaction with both Times and Always set, or a
// negative Times: the count must be unambiguous.
func (s *Server) React(name string, r Reaction) {
	if _, ok := lookupMethod(name); ok {
		s.ReactMethod(name, r)
		return
	}
	s.react(&reactionEntry{method: name, operation: name, r: r})
}

// ReactMethod installs a reaction for the JSON-RPC method method.
func (s *Server) ReactMethod(method string, r Reaction) {
	s.react(&reactionEntry{method: method, r: r})
}

// ReactOperation installs a reaction for the invoke operation operation,
// whatever its name.
func (s *Server) ReactOperation(operation string, r Reaction) {
	s.react(&reactionEntry{operation: operation, r: r})
}

func (s *Server) react(e *reactionEntry) {
	if e.r.Times < 0 || (e.r.Always && e.r.Times != 0) {
		panic(fmt.Sprintf("kurentotest: reaction count: Times %d with Always %v", e.r.Times, e.r.Always))
	}
	e.left = max(e.r.Times, Once)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reactions = append(s.reactions, e)
}

// ClearReactions removes every reaction.
func (s *Server) ClearReactions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reactions = nil
}

// takeReaction consumes the next reaction for a method (operation "") or
// an invoke operation (method ""). Called with s.mu held.
func (s *Server) takeReaction(method, operation string) *Reaction {
	for i, e := range s.reactions {
		if (method == "" || e.method != method) && (operation == "" || e.operation != operation) {
			continue
		}
		r := e.r
		if !e.r.Always {
			e.left--
			if e.left <= 0 {
				s.reactions = slices.Delete(s.reactions, i, i+1)
			}
		}
		return &r
	}
	return nil
}

// DropConnections closes every socket abruptly (no close frame). Sessions,
// objects and subscriptions stay, as when a KMS connection breaks.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := s.connList()
	for _, c := range conns {
		s.st.unbindConn(c)
		c.dropped = true
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.abort()
	}
}

// Restart simulates a KMS restart: every socket is dropped and all
// sessions, objects, subscriptions and cached replies are forgotten; the
// server gets a new serverId. Reactions and the call log are kept.
func (s *Server) Restart() {
	s.mu.Lock()
	conns := s.connList()
	for _, c := range conns {
		s.st.unbindConn(c)
		c.dropped = true
	}
	s.st = newState(s)
	if s.media != nil {
		s.media.Reset()
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.abort()
	}
}

// Inject writes a raw text frame to every open socket, for testing how a
// client handles unexpected or malformed input.
func (s *Server) Inject(frame []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := slices.Clone(frame)
	for c := range s.conns {
		c.send(f)
	}
}
