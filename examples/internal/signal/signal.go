// Package signal holds what the example programs share: the JSON messages a
// browser page and the Go server exchange over a websocket, the relay of
// SDP and ICE candidates between the page and a WebRtcEndpoint, the page
// script (signal.js) and the program's start-up (flags, KMS or the
// embedded fake, HTTP server).
//
// The protocol is the examples' own. Each message is one JSON object whose
// "type" says what it is:
//
//	page → server   offer      {sdp, role?, name?}  start (role/name per program)
//	page → server   candidate  {candidate}          a browser ICE candidate
//	page → server   stop       {}                   leave; closing the socket does the same
//	server → page   answer     {sdp}                KMS's SDP answer
//	server → page   candidate  {candidate}          a KMS ICE candidate
//	server → page   candidate  {}                   end of candidates: KMS finished gathering
//	server → page   error      {message}            the last request failed
//	server → page   ended      {message}            the call ended on the server side
//	server → page   peers      {count}              group call: participants now
package signal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/types"
)

// Message types.
const (
	TypeOffer     = "offer"
	TypeAnswer    = "answer"
	TypeCandidate = "candidate"
	TypeStop      = "stop"
	TypeError     = "error"
	TypeEnded     = "ended"
	TypePeers     = "peers"
)

// Message is one signalling message.
type Message struct {
	Type      string     `json:"type"`
	SDP       string     `json:"sdp,omitempty"`
	Role      string     `json:"role,omitempty"`
	Name      string     `json:"name,omitempty"`
	Candidate *Candidate `json:"candidate,omitempty"`
	Message   string     `json:"message,omitempty"`
	Count     int        `json:"count,omitempty"`
}

// Candidate is an ICE candidate as a browser's RTCIceCandidate.toJSON
// writes it and RTCPeerConnection.addIceCandidate reads it.
type Candidate struct {
	Candidate     string `json:"candidate"`
	SdpMid        string `json:"sdpMid"`
	SdpMLineIndex int32  `json:"sdpMLineIndex"`
}

// sendTimeout bounds one write to a page, so a stuck browser cannot hold a
// relay goroutine forever.
const sendTimeout = 5 * time.Second

// Conn is one signalling websocket, on the server or (in tests) on the
// browser side. Send may be called concurrently; Read from one goroutine.
type Conn struct {
	ws *websocket.Conn
}

// NewConn wraps an open websocket.
func NewConn(ws *websocket.Conn) *Conn { return &Conn{ws: ws} }

// Dial opens a signalling websocket to url (ws://host/ws), as a page does.
func Dial(ctx context.Context, url string) (*Conn, error) {
	ws, resp, err := websocket.Dial(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close() // the handshake response; the socket lives on
	}
	if err != nil {
		return nil, err
	}
	return NewConn(ws), nil
}

// Send writes m. It returns when m is written, the socket fails or after
// five seconds. If ctx ends or the five seconds pass during the write, the
// socket is closed (a half-written frame cannot be taken back).
func (c *Conn) Send(ctx context.Context, m Message) error {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	return wsjson.Write(ctx, c.ws, m)
}

// Read returns the next message.
func (c *Conn) Read(ctx context.Context) (Message, error) {
	var m Message
	err := wsjson.Read(ctx, c.ws, &m)
	return m, err
}

// Close closes the socket normally.
func (c *Conn) Close() error { return c.ws.Close(websocket.StatusNormalClosure, "") }

// Peer is the server side of one page's WebRTC connection: a
// WebRtcEndpoint whose ICE candidates are relayed to the page until the
// endpoint is released or Stop is called.
type Peer struct {
	EP     *endpoint.WebRtcEndpoint
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Negotiate answers the page's offer with ep: it subscribes to ep's ICE
// candidates (relayed to conn), processes the offer, sends the answer and
// starts gathering. On error the caller releases ep. The relay outlives
// ctx; end it with Stop.
func Negotiate(ctx context.Context, conn *Conn, ep *endpoint.WebRtcEndpoint, offer string) (*Peer, error) {
	if offer == "" {
		return nil, errors.New("the offer has no SDP")
	}
	// Subscribe first: Events returns once KMS has acknowledged, so no
	// candidate gathered later is missed. One stream for both types keeps
	// KMS's order, so "end of candidates" always follows the last
	// candidate. The subscription belongs to the peer, not to this request.
	subCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ice, err := ep.Events(subCtx, "IceCandidateFound", "IceGatheringDone")
	if err != nil {
		cancel()
		return nil, fmt.Errorf("subscribe to ICE events: %w", err)
	}
	p := &Peer{EP: ep, cancel: cancel}
	// A write whose ctx is cancelled closes the websocket, so writes must
	// not end with the subscription (Stop): each is bounded by Send's
	// timeout instead.
	sendCtx := context.WithoutCancel(ctx)
	p.wg.Go(func() {
		for ev := range ice.C() {
			m := Message{Type: TypeCandidate}
			switch ev := ev.(type) {
			case event.IceCandidateFound:
				c := ev.Candidate
				m.Candidate = &Candidate{Candidate: c.Candidate, SdpMid: c.SdpMid, SdpMLineIndex: c.SdpMLineIndex}
			case event.IceGatheringDone:
				// No candidate: the page tells its peer connection that
				// no more will come.
			default:
				continue
			}
			_ = conn.Send(sendCtx, m) // a page that left is noticed by the read loop
		}
	})
	answer, err := ep.ProcessOffer(ctx, offer)
	if err != nil {
		p.Stop()
		return nil, fmt.Errorf("process the offer: %w", err)
	}
	if err := conn.Send(ctx, Message{Type: TypeAnswer, SDP: answer}); err != nil {
		p.Stop()
		return nil, fmt.Errorf("send the answer: %w", err)
	}
	if err := ep.GatherCandidates(ctx); err != nil {
		p.Stop()
		return nil, fmt.Errorf("gather candidates: %w", err)
	}
	return p, nil
}

// AddCandidate hands a candidate of the page to KMS.
func (p *Peer) AddCandidate(ctx context.Context, c *Candidate) error {
	if c == nil || c.Candidate == "" {
		return nil // end of candidates: KMS needs no notice
	}
	return p.EP.AddIceCandidate(ctx, types.IceCandidate{
		Candidate: c.Candidate, SdpMid: c.SdpMid, SdpMLineIndex: c.SdpMLineIndex,
	})
}

// Stop ends the candidate relay and waits for it. Call it after releasing
// the endpoint, or instead of it.
func (p *Peer) Stop() {
	if p == nil {
		return
	}
	p.cancel()
	p.wg.Wait()
}
