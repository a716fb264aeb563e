// Command one2many serves a page from which one browser presents its
// camera and any number of others watch it through Kurento Media Server.
// The presenter's WebRtcEndpoint is connected to one WebRtcEndpoint per
// viewer, all in the presenter's pipeline.
//
// Signalling is that of examples/internal/signal: an offer with role
// "presenter" or "viewer", answers and ICE candidates both ways. A viewer
// that leaves has its endpoint released; when the presenter leaves, the
// pipeline is released (taking the viewers' endpoints with it) and the
// viewers are told the broadcast ended.
//
// With KURENTO_URL set (e.g. ws://127.0.0.1:8888/kurento) it uses that
// server; otherwise it starts the SDK's embedded fake KMS, which carries
// the media too (kurentotest.WithMedia):
//
//	go run ./examples/one2many -listen 127.0.0.1:8443
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
	"github.com/gokurento/kurento/pipeline"
)

//go:embed web
var web embed.FS

func main() { signal.Main("one2many", newApp) }

// Roles a page takes with its offer.
const (
	rolePresenter = "presenter"
	roleViewer    = "viewer"
)

// broadcast is the state shared by all pages: at most one presenter and
// its viewers. Its lock is held while the broadcast changes shape, so a
// viewer never joins a pipeline that is being released.
type broadcast struct {
	c         *client.Client
	log       *slog.Logger
	mu        sync.Mutex
	presenter *presenter // nil when nobody presents
}

type presenter struct {
	page    int64
	p       *pipeline.MediaPipeline
	peer    *signal.Peer
	viewers map[int64]*viewer
}

type viewer struct {
	conn *signal.Conn
	peer *signal.Peer
}

func newApp(c *client.Client, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &broadcast{c: c, log: log}
	pages, _ := fs.Sub(web, "web")
	return signal.Handler(pages, func(conn *signal.Conn, id int64) signal.Session {
		return &session{b: b, conn: conn, id: id}
	}, log)
}

// session is one page: a presenter, a viewer, or nothing yet.
type session struct {
	b    *broadcast
	conn *signal.Conn
	id   int64
	role string
}

func (s *session) Handle(ctx context.Context, m signal.Message) error {
	switch m.Type {
	case signal.TypeOffer:
		if s.role != "" {
			return errors.New("already started: stop first")
		}
		var err error
		switch m.Role {
		case rolePresenter:
			err = s.b.present(ctx, s.conn, s.id, m.SDP)
		case roleViewer:
			err = s.b.watch(ctx, s.conn, s.id, m.SDP)
		default:
			err = errors.New(`role must be "presenter" or "viewer"`)
		}
		if err == nil {
			s.role = m.Role
		}
		return err
	case signal.TypeCandidate:
		peer := s.b.peer(s.id)
		if peer == nil {
			return errors.New("candidate outside a call")
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
	switch s.role {
	case rolePresenter:
		s.b.stopPresenting(ctx, s.id)
	case roleViewer:
		s.b.stopWatching(ctx, s.id)
	}
	s.role = ""
}

// present makes page the presenter.
func (b *broadcast) present(ctx context.Context, conn *signal.Conn, page int64, offer string) (err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.presenter != nil {
		return errors.New("someone else is presenting")
	}
	p, err := pipeline.NewMediaPipeline(ctx, b.c, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = p.Release(context.WithoutCancel(ctx))
		}
	}()
	ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	if err != nil {
		return err
	}
	peer, err := signal.Negotiate(ctx, conn, ep, offer)
	if err != nil {
		return err
	}
	b.presenter = &presenter{page: page, p: p, peer: peer, viewers: map[int64]*viewer{}}
	b.log.Info("presenting", "page", page)
	return nil
}

// watch adds page as a viewer of the presenter.
func (b *broadcast) watch(ctx context.Context, conn *signal.Conn, page int64, offer string) (err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pr := b.presenter
	if pr == nil {
		return errors.New("nobody is presenting yet")
	}
	ep, err := endpoint.NewWebRtcEndpoint(ctx, pr.p, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = ep.Release(context.WithoutCancel(ctx))
		}
	}()
	if err := pr.peer.EP.Connect(ctx, ep, nil); err != nil {
		return err
	}
	peer, err := signal.Negotiate(ctx, conn, ep, offer)
	if err != nil {
		return err
	}
	pr.viewers[page] = &viewer{conn: conn, peer: peer}
	b.log.Info("watching", "page", page, "viewers", len(pr.viewers))
	return nil
}

// peer returns the endpoint side of page, or nil.
func (b *broadcast) peer(page int64) *signal.Peer {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch pr := b.presenter; {
	case pr == nil:
		return nil
	case pr.page == page:
		return pr.peer
	case pr.viewers[page] != nil:
		return pr.viewers[page].peer
	}
	return nil
}

// stopWatching releases the endpoint of viewer page.
func (b *broadcast) stopWatching(ctx context.Context, page int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pr := b.presenter
	if pr == nil || pr.viewers[page] == nil {
		return // the broadcast already ended
	}
	v := pr.viewers[page]
	delete(pr.viewers, page)
	_ = v.peer.EP.Release(ctx) // if this fails, closing the client frees it
	v.peer.Stop()
}

// stopPresenting ends the broadcast: the viewers are told, and the
// pipeline is released with every endpoint in it.
func (b *broadcast) stopPresenting(ctx context.Context, page int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pr := b.presenter
	if pr == nil || pr.page != page {
		return
	}
	b.presenter = nil
	for _, v := range pr.viewers {
		_ = v.conn.Send(ctx, signal.Message{Type: signal.TypeEnded, Message: "the presenter left"})
	}
	_ = pr.p.Release(ctx)
	pr.peer.Stop()
	for _, v := range pr.viewers {
		v.peer.Stop()
	}
	b.log.Info("broadcast ended", "page", page, "viewers", len(pr.viewers))
}
