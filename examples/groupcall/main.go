// Command groupcall serves a page for a group video call through Kurento
// Media Server: every participant's WebRtcEndpoint sends to its own HubPort
// of a Composite, which mixes everybody into one picture and sound, and
// receives that mix back from the port.
//
// Signalling is that of examples/internal/signal: an offer (with the
// participant's name), answers and ICE candidates both ways, and a "peers"
// message with the number of participants whenever it changes. A
// participant that leaves has its endpoint and port released; the last one
// out releases the pipeline and the Composite.
//
// With KURENTO_URL set (e.g. ws://127.0.0.1:8888/kurento) it uses that
// server; otherwise it starts the SDK's embedded fake KMS, which carries
// the media too (kurentotest.WithMedia):
//
//	go run ./examples/groupcall -listen 127.0.0.1:8443
package main

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/examples/internal/signal"
	"github.com/gokurento/kurento/hub"
	"github.com/gokurento/kurento/pipeline"
)

//go:embed web
var web embed.FS

func main() { signal.Main("groupcall", newApp) }

// room is the one call of the program. Its lock is held while
// participants join or leave.
type room struct {
	c      *client.Client
	log    *slog.Logger
	mu     sync.Mutex
	p      *pipeline.MediaPipeline // nil while the room is empty
	mixer  *hub.Composite
	people map[int64]*participant
}

type participant struct {
	name string
	conn *signal.Conn
	port *hub.HubPort
	peer *signal.Peer
}

func newApp(c *client.Client, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &room{c: c, log: log, people: map[int64]*participant{}}
	pages, _ := fs.Sub(web, "web")
	return signal.Handler(pages, func(conn *signal.Conn, id int64) signal.Session {
		return &session{r: r, conn: conn, id: id}
	}, log)
}

// session is one page: in the call or not.
type session struct {
	r      *room
	conn   *signal.Conn
	id     int64
	joined bool
}

func (s *session) Handle(ctx context.Context, m signal.Message) error {
	switch m.Type {
	case signal.TypeOffer:
		if s.joined {
			return errors.New("already in the call: leave first")
		}
		if err := s.r.join(ctx, s.conn, s.id, m.Name, m.SDP); err != nil {
			return err
		}
		s.joined = true
		return nil
	case signal.TypeCandidate:
		peer := s.r.peer(s.id)
		if peer == nil {
			return errors.New("candidate outside the call")
		}
		return peer.AddCandidate(ctx, m.Candidate)
	case signal.TypeStop:
		s.Close(ctx)
		return nil
	default:
		return errors.New("unknown message type " + m.Type)
	}
}

func (s *session) Close(ctx context.Context) {
	if s.joined {
		s.r.leave(ctx, s.id)
		s.joined = false
	}
}

// join adds page to the call, creating the room's pipeline and Composite
// for the first participant.
func (r *room) join(ctx context.Context, conn *signal.Conn, page int64, name, offer string) (err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p == nil {
		if err := r.open(ctx); err != nil {
			return err
		}
	}
	defer func() {
		if err != nil && len(r.people) == 0 {
			r.close(ctx)
		}
	}()
	ep, err := endpoint.NewWebRtcEndpoint(ctx, r.p, nil)
	if err != nil {
		return err
	}
	port, err := hub.NewHubPort(ctx, r.mixer, nil)
	if err != nil {
		_ = ep.Release(context.WithoutCancel(ctx))
		return err
	}
	defer func() {
		if err != nil {
			_ = port.Release(context.WithoutCancel(ctx))
			_ = ep.Release(context.WithoutCancel(ctx))
		}
	}()
	if name != "" { // names show in MediaPipeline.DOT and server tools
		_ = ep.SetName(ctx, name)
	}
	if err := ep.Connect(ctx, port, nil); err != nil { // into the mix
		return err
	}
	if err := port.Connect(ctx, ep, nil); err != nil { // the mix back
		return err
	}
	peer, err := signal.Negotiate(ctx, conn, ep, offer)
	if err != nil {
		return err
	}
	r.people[page] = &participant{name: name, conn: conn, port: port, peer: peer}
	r.log.Info("joined", "page", page, "name", name, "participants", len(r.people))
	r.announce(ctx)
	return nil
}

func (r *room) open(ctx context.Context) error {
	p, err := pipeline.NewMediaPipeline(ctx, r.c, nil)
	if err != nil {
		return err
	}
	mixer, err := hub.NewComposite(ctx, p, nil)
	if err != nil {
		_ = p.Release(context.WithoutCancel(ctx))
		return err
	}
	r.p, r.mixer = p, mixer
	return nil
}

func (r *room) close(ctx context.Context) {
	_ = r.p.Release(ctx) // if this fails, closing the client frees it
	r.p, r.mixer = nil, nil
}

// announce tells everybody how many are in the call.
func (r *room) announce(ctx context.Context) {
	for _, pt := range r.people {
		_ = pt.conn.Send(ctx, signal.Message{Type: signal.TypePeers, Count: len(r.people)})
	}
}

// peer returns the endpoint side of page, or nil.
func (r *room) peer(page int64) *signal.Peer {
	r.mu.Lock()
	defer r.mu.Unlock()
	if pt := r.people[page]; pt != nil {
		return pt.peer
	}
	return nil
}

// leave removes page from the call, releasing its port and endpoint, and
// the room when it was the last.
func (r *room) leave(ctx context.Context, page int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pt := r.people[page]
	if pt == nil {
		return
	}
	delete(r.people, page)
	if len(r.people) == 0 {
		r.close(ctx)
	} else {
		_ = pt.port.Release(ctx)
		_ = pt.peer.EP.Release(ctx)
	}
	pt.peer.Stop()
	r.log.Info("left", "page", page, "name", pt.name, "participants", len(r.people))
	r.announce(ctx)
}
