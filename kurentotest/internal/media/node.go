package media

import (
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// switchAfter is how long a sink keeps to its current source after that
// source's last packet before it takes another one that sends.
const switchAfter = 500 * time.Millisecond

type flowDir int

const (
	dirIn flowDir = iota
	dirOut
)

// source is where a stream of packets starts: the remote peer of a WebRTC
// node or a player.
type source struct {
	node  *node
	kind  Kind
	mime  string // "video/VP8"
	clock uint32
	// keyframe asks the source for a key frame (nil: it cannot).
	keyframe func()
}

func (s *source) requestKeyframe() {
	if s != nil && s.keyframe != nil {
		s.keyframe()
	}
}

// outlet takes what reaches an endpoint from the pipeline: the network
// side of a WebRTC node, the file of a recorder.
type outlet interface {
	write(k Kind, src *source, p *rtp.Packet)
	// accepts reports whether the outlet can carry a codec ("" unknown).
	accepts(k Kind, mime string) bool
	close()
}

// node is one element of the pipeline.
type node struct {
	e  *Engine
	id string

	mu    sync.Mutex
	flows [2][numKinds]flowState
	in    [numKinds]inputSel
	rw    [numKinds]rewriter
	// out is nil for pass-through elements.
	out outlet
	// network is set for WebRTC and RTP nodes: what their peer sends
	// leaves them into the pipeline (their flow out, links or not); what
	// reaches them from the pipeline is their flow in, as for any element.
	network bool
	// hubPort: input from the pipeline goes to the hub, not back out.
	hubPort bool
	// closers run once on close, after out is closed.
	closers []func()
	closed  bool
}

type flowState struct {
	last    time.Time
	flowing bool
}

// inputSel is the source a sink currently takes media from.
type inputSel struct {
	cur  *source
	last time.Time
}

func (e *Engine) newNode(id string) *node { return &node{e: e, id: id} }

func (n *node) close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	out, closers := n.out, n.closers
	n.mu.Unlock()
	if out != nil {
		out.close()
	}
	for _, f := range closers {
		f()
	}
}

func (n *node) resetInput(k Kind) {
	n.mu.Lock()
	n.in[k] = inputSel{}
	n.mu.Unlock()
}

// currentSource is the source the node takes media of kind k from.
func (n *node) currentSource(k Kind) *source {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.in[k].cur
}

// receive takes a packet arriving from a route.
func (n *node) receive(k Kind, src *source, p *rtp.Packet, viaHub bool, depth int) {
	now := time.Now()
	n.mu.Lock()
	g, gated := n.out.(interface{ ready() bool })
	n.mu.Unlock()
	if !gated || g.ready() {
		n.flowAt(k, dirIn, now)
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	if n.hubPort && !viaHub {
		// Into the hub: one link feeds this side; selection happens
		// where the hub's outputs meet.
		n.mu.Unlock()
		n.e.forward(n, k, src, p, viaHub, depth)
		return
	}
	sel := &n.in[k]
	switched := false
	if sel.cur != src {
		if sel.cur != nil && now.Sub(sel.last) < switchAfter {
			n.mu.Unlock()
			return
		}
		sel.cur, switched = src, true
	}
	sel.last = now
	out := n.out
	var q *rtp.Packet
	if out != nil && out.accepts(k, src.mime) {
		q = n.rw[k].rewrite(src, p, now)
	}
	n.mu.Unlock()
	if switched {
		// A new viewer or a switch of source: the decoder behind this
		// sink needs a key frame to start (KMS sends a PLI upstream too).
		src.requestKeyframe()
	}
	if out == nil {
		n.e.forward(n, k, src, p, viaHub, depth)
		return
	}
	if q != nil {
		out.write(k, src, q)
	}
}

// keyframeRequested passes a key frame request of the node's downstream
// (a PLI or FIR from its peer) to the source it takes media of kind k from.
func (n *node) keyframeRequested(k Kind) { n.currentSource(k).requestKeyframe() }

func (n *node) flow(k Kind, dir flowDir) { n.flowAt(k, dir, time.Now()) }

func (n *node) flowAt(k Kind, dir flowDir, now time.Time) {
	n.mu.Lock()
	f := &n.flows[dir][k]
	f.last = now
	start := !f.flowing && !n.closed
	if start {
		f.flowing = true
	}
	n.mu.Unlock()
	if start {
		n.e.emit(Event{Node: n.id, Type: flowEvent(dir), Kind: k, Flowing: true})
	}
}

func flowEvent(dir flowDir) EventType {
	if dir == dirIn {
		return EventFlowIn
	}
	return EventFlowOut
}

func (n *node) expireFlows(now time.Time) {
	var stopped []Event
	n.mu.Lock()
	for dir := range n.flows {
		for k := range n.flows[dir] {
			f := &n.flows[dir][k]
			if f.flowing && now.Sub(f.last) > FlowTimeout {
				f.flowing = false
				stopped = append(stopped, Event{Node: n.id, Type: flowEvent(flowDir(dir)), Kind: Kind(k)})
			}
		}
	}
	n.mu.Unlock()
	for _, ev := range stopped {
		n.e.emit(ev)
	}
}

// rewriter makes the packets of successive sources one RTP stream:
// sequence numbers and timestamps continue where the previous source
// stopped.
type rewriter struct {
	src     *source
	seqOff  uint16
	tsOff   uint32
	lastSeq uint16
	lastTS  uint32
	lastAt  time.Time
	started bool
}

func (r *rewriter) rewrite(src *source, p *rtp.Packet, now time.Time) *rtp.Packet {
	if src != r.src {
		if r.started {
			gap := uint32(now.Sub(r.lastAt).Seconds()*float64(src.clock)) + 1
			r.seqOff = r.lastSeq + 1 - p.SequenceNumber
			r.tsOff = r.lastTS + gap - p.Timestamp
		} else {
			r.seqOff, r.tsOff = 0, 0
		}
		r.src = src
	}
	q := &rtp.Packet{Header: p.Header, Payload: p.Payload}
	q.SequenceNumber = p.SequenceNumber + r.seqOff
	q.Timestamp = p.Timestamp + r.tsOff
	// Extensions belong to the sender's negotiation, not the receiver's.
	q.Extension, q.Extensions, q.ExtensionProfile = false, nil, 0
	if !r.started || int16(q.SequenceNumber-r.lastSeq) > 0 {
		r.lastSeq, r.lastTS, r.lastAt = q.SequenceNumber, q.Timestamp, now
	}
	r.started = true
	return q
}

// sameCodec compares MIME types case-insensitively; "" matches anything.
func sameCodec(a, b string) bool { return a == "" || b == "" || strings.EqualFold(a, b) }
