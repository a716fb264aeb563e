// Package media carries real media for the fake KMS of package kurentotest:
// it terminates WebRTC (ICE, DTLS, SRTP through pion), carries plain RTP
// or SDES-keyed SRTP for RtpEndpoints, plays and records
// files, and forwards RTP packets along routes between nodes. It knows
// nothing of the Kurento protocol: kurentotest names the nodes (by object
// id), tells the engine the routes that follow from the pipeline's
// connections, and turns the engine's [Event]s into Kurento events.
//
// Packets are forwarded, never decoded or re-encoded: a sink receives the
// packets of one source at a time per media type (sequence numbers and
// timestamps rewritten so a switch of source looks like one stream), and
// only when both negotiated the same codec.
package media

import (
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// Kind is a media type.
type Kind int

// The media types the engine carries.
const (
	Audio Kind = iota
	Video
	numKinds
)

func (k Kind) String() string {
	if k == Audio {
		return "AUDIO"
	}
	return "VIDEO"
}

// FlowTimeout is how long a flow stays FLOWING after its last packet.
const FlowTimeout = 2 * time.Second

// EventType tells what an [Event] reports.
type EventType int

// Event types.
const (
	// EventCandidate: a local ICE candidate (Candidate, Mid, MLineIndex).
	EventCandidate EventType = iota + 1
	// EventGatheringDone: every local candidate was reported.
	EventGatheringDone
	// EventICEState: the ICE state changed (State: CONNECTING, CONNECTED,
	// READY, FAILED, DISCONNECTED).
	EventICEState
	// EventPairSelected: the ICE pair (Local, Remote candidates).
	EventPairSelected
	// EventDTLSState: the DTLS state changed (State: CONNECTING,
	// CONNECTED, FAILED, CLOSED).
	EventDTLSState
	// EventFlowIn, EventFlowOut: media of Kind started (Flowing) or
	// stopped entering the node from its routes (in), or leaving it into
	// the pipeline (out: on its routes, or for a WebRTC or RTP node what
	// its peer sends, whether routes take it or not), as KMS reports the
	// flow on an element's sink and source pads.
	EventFlowIn
	EventFlowOut
	// EventEndOfStream: a player reached the end of its file (a read
	// error ends it too).
	EventEndOfStream
)

// Event is something that happened to a node.
type Event struct {
	Node string
	Type EventType

	Candidate  string
	Mid        string
	MLineIndex int
	State      string
	Local      string
	Remote     string
	Kind       Kind
	Flowing    bool
}

// Route sends the media of Kind leaving Source into Sink. Hub routes join
// the ports of a hub: what arrives through one is not passed on through
// another hub route, so hubs never loop.
type Route struct {
	Source, Sink string
	Kind         Kind
	Hub          bool
}

// Config configures an [Engine].
type Config struct {
	// OnEvent receives the events, one at a time, in order, on a goroutine
	// of the engine. It may block; it must not call the engine's Close.
	OnEvent func(Event)
	Logger  *slog.Logger
}

// ErrClosed is returned for calls on a closed engine.
var ErrClosed = errors.New("media: engine closed")

// Engine holds the nodes and the routes between them. Its methods never
// wait for OnEvent, so they can be called while the event consumer is
// blocked, and they are safe for concurrent use.
type Engine struct {
	cfg Config
	log *slog.Logger

	mu     sync.RWMutex
	nodes  map[string]*node
	routes map[string][numKinds][]route // by source id
	closed bool

	events eventQueue
	wg     sync.WaitGroup
	done   chan struct{}
}

type route struct {
	sink *node
	hub  bool
}

// New starts an engine. Close ends it.
func New(cfg Config) *Engine {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		cfg:    cfg,
		log:    log,
		nodes:  make(map[string]*node),
		routes: make(map[string][numKinds][]route),
		done:   make(chan struct{}),
	}
	e.events.init()
	e.wg.Go(e.deliverEvents)
	e.wg.Go(e.watchFlows)
	return e
}

// Close removes every node, waits for the engine's goroutines and sockets
// to end and drops the events not yet delivered.
func (e *Engine) Close() {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.closed = true
	nodes := e.nodes
	e.nodes = map[string]*node{}
	e.routes = map[string][numKinds][]route{}
	e.mu.Unlock()
	for _, n := range nodes {
		n.close()
	}
	close(e.done)
	e.events.close()
	e.wg.Wait()
}

// Reset removes every node (a KMS restart); the engine stays usable.
func (e *Engine) Reset() {
	e.mu.Lock()
	nodes := e.nodes
	e.nodes = map[string]*node{}
	e.routes = map[string][numKinds][]route{}
	e.mu.Unlock()
	for _, n := range nodes {
		e.closeLater(n)
	}
}

// Remove removes a node and its routes. Its sockets and files close in
// the background (a recorder finishes its file first).
func (e *Engine) Remove(id string) {
	e.mu.Lock()
	n, ok := e.nodes[id]
	if ok {
		delete(e.nodes, id)
		delete(e.routes, id)
	}
	e.mu.Unlock()
	if ok {
		e.closeLater(n)
	}
}

// Nodes lists the ids of the nodes.
func (e *Engine) Nodes() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]string, 0, len(e.nodes))
	for id := range e.nodes {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func (e *Engine) closeLater(n *node) {
	e.mu.RLock()
	closed := e.closed
	e.mu.RUnlock()
	if closed {
		n.close()
		return
	}
	e.wg.Go(n.close)
}

// AddElement adds a node that passes what it receives on to its routes
// (PassThrough, filters). Adding an existing id does nothing.
func (e *Engine) AddElement(id string) { e.addElement(id, false) }

// AddHubPort adds a hub port: what reaches it from the pipeline goes only
// to its hub routes, what reaches it from the hub only to the pipeline.
func (e *Engine) AddHubPort(id string) { e.addElement(id, true) }

func (e *Engine) addElement(id string, hubPort bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || e.nodes[id] != nil {
		return
	}
	n := e.newNode(id)
	n.hubPort = hubPort
	e.nodes[id] = n
}

func (e *Engine) node(id string) *node {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.nodes[id]
}

// SetRoutes replaces the routes. Routes naming unknown nodes are ignored.
// A sink whose sources changed takes the first source that sends next
// (and asks it for a key frame).
func (e *Engine) SetRoutes(rs []Route) {
	e.mu.Lock()
	old := e.routes
	e.routes = make(map[string][numKinds][]route)
	for _, r := range rs {
		src, sink := e.nodes[r.Source], e.nodes[r.Sink]
		if src == nil || sink == nil || r.Kind < 0 || r.Kind >= numKinds {
			continue
		}
		byKind := e.routes[r.Source]
		byKind[r.Kind] = append(byKind[r.Kind], route{sink: sink, hub: r.Hub})
		e.routes[r.Source] = byKind
	}
	changed := map[*node][numKinds]bool{}
	mark := func(m map[string][numKinds][]route, other map[string][numKinds][]route) {
		for src, byKind := range m {
			for k, rs := range byKind {
				for _, r := range rs {
					if !slices.Contains(other[src][k], r) {
						c := changed[r.sink]
						c[k] = true
						changed[r.sink] = c
					}
				}
			}
		}
	}
	mark(old, e.routes)
	mark(e.routes, old)
	e.mu.Unlock()
	for n, kinds := range changed {
		for k, c := range kinds {
			if c {
				n.resetInput(Kind(k))
			}
		}
	}
}

// forward sends a packet that left node from on its routes. viaHub tells
// that it reached from through a hub route; depth bounds loops of
// pass-through elements.
func (e *Engine) forward(from *node, k Kind, src *source, p *rtp.Packet, viaHub bool, depth int) {
	if depth > 16 {
		return
	}
	e.mu.RLock()
	rs := e.routes[from.id][k]
	e.mu.RUnlock()
	sent := false
	for _, r := range rs {
		if (viaHub && r.hub) || (from.hubPort && !viaHub && !r.hub) {
			continue
		}
		sent = true
		r.sink.receive(k, src, p, r.hub, depth+1)
	}
	// What leaves an element flows out whether a route takes it or not
	// (a PassThrough with no sink reports its flow out on KMS 7.3.1); a
	// hub port's input goes into the hub, not out of the port.
	if !from.network && (sent || !from.hubPort) {
		from.flow(k, dirOut)
	}
}

// emit queues an event for OnEvent.
func (e *Engine) emit(ev Event) { e.events.push(ev) }

func (e *Engine) deliverEvents() {
	for {
		ev, ok := e.events.pop()
		if !ok {
			return
		}
		if e.cfg.OnEvent != nil {
			e.cfg.OnEvent(ev)
		}
	}
}

// watchFlows reports flows that stopped: no packet for FlowTimeout.
func (e *Engine) watchFlows() {
	t := time.NewTicker(FlowTimeout / 8)
	defer t.Stop()
	for {
		select {
		case <-e.done:
			return
		case now := <-t.C:
			e.mu.RLock()
			nodes := make([]*node, 0, len(e.nodes))
			for _, n := range e.nodes {
				nodes = append(nodes, n)
			}
			e.mu.RUnlock()
			for _, n := range nodes {
				n.expireFlows(now)
			}
		}
	}
}

// eventQueue is an unbounded FIFO: producers (pion callbacks, packet
// readers) never block on the consumer.
type eventQueue struct {
	mu     sync.Mutex
	items  []Event
	wake   chan struct{}
	closed bool
}

func (q *eventQueue) init() { q.wake = make(chan struct{}, 1) }

func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, ev)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.items = nil
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) pop() (Event, bool) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return Event{}, false
		}
		if len(q.items) > 0 {
			ev := q.items[0]
			q.items[0] = Event{}
			q.items = q.items[1:]
			q.mu.Unlock()
			return ev, true
		}
		q.mu.Unlock()
		<-q.wake
	}
}
