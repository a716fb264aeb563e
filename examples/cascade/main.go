// Command cascade is one2many spread over several Kurento Media Servers:
// one browser presents its camera and any number of others watch it, and
// when the presenter's pipeline holds -per-pipeline viewers, further viewers
// go to "edge" pipelines that the pool places on the least-loaded server,
// each fed with the presenter's media through a cascade relay (a pair of
// RtpEndpoints between the servers).
//
// Signalling is that of examples/internal/signal, as in one2many. When the
// presenter leaves, or the server of the presenter loses its session, every
// viewer is told the broadcast ended; when an edge's server loses its
// session, only that edge's viewers are.
//
// With KURENTO_URL and KURENTO_URL_2 set it uses those two servers;
// otherwise it starts two embedded fakes, which carry the media too (the
// relay as plain RTP between them on the loopback; see kurentotest's
// "Real media" for what the fake does not do):
//
//	go run ./examples/cascade -listen 127.0.0.1:8443 -per-pipeline 2
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	ossignal "os/signal"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/element"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/examples/internal/signal"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/pool"
	"github.com/gokurento/kurento/pool/cascade"
)

//go:embed web
var web embed.FS

func main() {
	fs := flag.NewFlagSet("cascade", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:8443", "address to serve the pages on (plain HTTP; browsers allow camera access on localhost)")
	per := fs.Int("per-pipeline", 2, "viewers per pipeline before another edge pipeline is placed")
	_ = fs.Parse(os.Args[1:])
	ctx, stop := ossignal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	urls := []string{os.Getenv("KURENTO_URL"), os.Getenv("KURENTO_URL_2")}
	err := run(ctx, *listen, urls, *per, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cascade: %v\n", err)
		os.Exit(1)
	}
}

// run serves the program until ctx ends. Empty urls start embedded fakes.
func run(ctx context.Context, listen string, urls []string, per int, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("program", "cascade")
	if urls[0] == "" || urls[1] == "" {
		for i := range urls {
			srv, err := kurentotest.Start(kurentotest.WithMedia()) //nolint:contextcheck // the fakes live until run returns
			if err != nil {
				return fmt.Errorf("start an embedded fake KMS: %w", err)
			}
			defer func() { _ = srv.Close() }()
			urls[i] = srv.URL()
		}
		log.Info("KURENTO_URL and KURENTO_URL_2 are not both set: using two embedded fake KMS (media flows between them over loopback RTP)", "urls", urls)
	}
	startCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	p, err := pool.New(startCtx, pool.Static(urls...), pool.WithLogger(log), pool.WithClientOptions(client.WithLogger(log)))
	cancel()
	if err != nil {
		return err
	}
	// Closing the pool ends its sessions: KMS frees whatever is left.
	defer func() { _ = p.Close() }()

	app := newApp(p, log, per) //nolint:contextcheck // the app's failover watcher lives until app.stop, not per request
	defer app.stop()
	return signal.Serve(ctx, "cascade", listen, app.handler(), stderr)
}

// Roles a page takes with its offer.
const (
	rolePresenter = "presenter"
	roleViewer    = "viewer"
)

const broadcastKey = "broadcast"

// app is the state shared by all pages: at most one broadcast. Its lock is
// held while the broadcast changes shape.
type app struct {
	p    *pool.Pool
	log  *slog.Logger
	per  int
	wg   sync.WaitGroup
	done context.CancelFunc

	mu    sync.Mutex
	bc    *broadcast // nil when nobody presents
	edges int        // numbers edge keys
}

// broadcast is the presenter's pipeline (the origin) and the edges fed
// from it.
type broadcast struct {
	page   int64
	origin *hall
	peer   *signal.Peer
	edges  []*hall
}

// hall is one pipeline with viewers: the origin, or an edge fed by a link.
type hall struct {
	key     string
	place   *pool.Placement
	p       *pipeline.MediaPipeline
	source  *endpoint.RtpEndpoint // the edge's relayed media; nil for the origin
	link    *cascade.Link
	viewers map[int64]*viewer
}

type viewer struct {
	conn *signal.Conn
	peer *signal.Peer
}

func newApp(p *pool.Pool, log *slog.Logger, per int) *app {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &app{p: p, log: log, per: max(1, per), done: cancel}
	failovers := p.Failovers(ctx)
	a.wg.Go(func() {
		for f := range failovers {
			a.failover(context.Background(), f)
		}
	})
	return a
}

// stop ends the failover watcher.
func (a *app) stop() {
	a.done()
	a.wg.Wait()
}

func (a *app) handler() http.Handler {
	pages, _ := fs.Sub(web, "web")
	return signal.Handler(pages, func(conn *signal.Conn, id int64) signal.Session {
		return &session{a: a, conn: conn, id: id}
	}, a.log)
}

// session is one page: a presenter, a viewer, or nothing yet.
type session struct {
	a    *app
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
			err = s.a.present(ctx, s.conn, s.id, m.SDP)
		case roleViewer:
			err = s.a.watch(ctx, s.conn, s.id, m.SDP)
		default:
			err = errors.New(`role must be "presenter" or "viewer"`)
		}
		if err == nil {
			s.role = m.Role
		}
		return err
	case signal.TypeCandidate:
		peer := s.a.peer(s.id)
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
		s.a.endBroadcast(ctx, s.id, "the presenter left")
	case roleViewer:
		s.a.stopWatching(ctx, s.id)
	}
	s.role = ""
}

// present makes page the presenter, on the server the pool places the
// broadcast on.
func (a *app) present(ctx context.Context, conn *signal.Conn, page int64, offer string) (err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bc != nil {
		return errors.New("someone else is presenting")
	}
	origin, err := a.openHall(ctx, broadcastKey)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			origin.close(context.WithoutCancel(ctx))
		}
	}()
	ep, err := endpoint.NewWebRtcEndpoint(ctx, origin.p, nil)
	if err != nil {
		return err
	}
	peer, err := signal.Negotiate(ctx, conn, ep, offer)
	if err != nil {
		return err
	}
	a.bc = &broadcast{page: page, origin: origin, peer: peer}
	a.log.Info("presenting", "page", page, "server", origin.place.URL())
	return nil
}

// openHall places key and creates its pipeline.
func (a *app) openHall(ctx context.Context, key string) (*hall, error) {
	pl, err := a.p.Place(ctx, key)
	if err != nil {
		return nil, err
	}
	p, err := pipeline.NewMediaPipeline(ctx, pl.Client(), nil)
	if err != nil {
		pl.Release()
		return nil, err
	}
	return &hall{key: key, place: pl, p: p, viewers: map[int64]*viewer{}}, nil
}

// close releases the hall's pipeline (and with it the link's end there)
// and its placement.
func (h *hall) close(ctx context.Context) {
	if h.link != nil {
		_ = h.link.Close(ctx)
	}
	_ = h.p.Release(ctx) // if this fails, closing the pool frees it
	for _, v := range h.viewers {
		v.peer.Stop()
	}
	h.place.Release()
}

// watch adds page as a viewer: in the origin while it has room, else in an
// edge with room, else in a new edge.
func (a *app) watch(ctx context.Context, conn *signal.Conn, page int64, offer string) (err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	bc := a.bc
	if bc == nil {
		return errors.New("nobody is presenting yet")
	}
	h, err := a.hallWithRoom(ctx, bc)
	if err != nil {
		return err
	}
	ep, err := endpoint.NewWebRtcEndpoint(ctx, h.p, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = ep.Release(context.WithoutCancel(ctx))
		}
	}()
	var src interface {
		Connect(context.Context, element.Sink, *element.ConnectOptions) error
	} = bc.peer.EP
	if h.source != nil {
		src = h.source
	}
	if err := src.Connect(ctx, ep, nil); err != nil {
		return err
	}
	peer, err := signal.Negotiate(ctx, conn, ep, offer)
	if err != nil {
		return err
	}
	h.viewers[page] = &viewer{conn: conn, peer: peer}
	a.log.Info("watching", "page", page, "hall", h.key, "server", h.place.URL(), "viewers", len(h.viewers))
	return nil
}

func (a *app) hallWithRoom(ctx context.Context, bc *broadcast) (*hall, error) {
	if len(bc.origin.viewers) < a.per {
		return bc.origin, nil
	}
	for _, h := range bc.edges {
		if len(h.viewers) < a.per {
			return h, nil
		}
	}
	a.edges++
	h, err := a.openHall(ctx, broadcastKey+"/edge/"+strconv.Itoa(a.edges))
	if err != nil {
		return nil, err
	}
	link, err := cascade.Relay(ctx, bc.peer.EP, h.p, nil)
	if err != nil {
		h.close(context.WithoutCancel(ctx))
		return nil, err
	}
	h.link, h.source = link, link.Source()
	bc.edges = append(bc.edges, h)
	a.log.Info("edge opened", "hall", h.key, "server", h.place.URL(), "origin", bc.origin.place.URL())
	return h, nil
}

// peer returns the endpoint side of page, or nil.
func (a *app) peer(page int64) *signal.Peer {
	a.mu.Lock()
	defer a.mu.Unlock()
	bc := a.bc
	if bc == nil {
		return nil
	}
	if bc.page == page {
		return bc.peer
	}
	for _, h := range append([]*hall{bc.origin}, bc.edges...) {
		if v := h.viewers[page]; v != nil {
			return v.peer
		}
	}
	return nil
}

// stopWatching releases the endpoint of viewer page.
func (a *app) stopWatching(ctx context.Context, page int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	bc := a.bc
	if bc == nil {
		return // the broadcast already ended
	}
	for _, h := range append([]*hall{bc.origin}, bc.edges...) {
		if v := h.viewers[page]; v != nil {
			delete(h.viewers, page)
			_ = v.peer.EP.Release(ctx) // if this fails, closing the pool frees it
			v.peer.Stop()
		}
	}
}

// endBroadcast ends the broadcast of presenter page: the viewers are told,
// and every hall is released.
func (a *app) endBroadcast(ctx context.Context, page int64, why string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	bc := a.bc
	if bc == nil || bc.page != page {
		return
	}
	a.bc = nil
	halls := append(slices.Clone(bc.edges), bc.origin)
	for _, h := range halls {
		for _, v := range h.viewers {
			_ = v.conn.Send(ctx, signal.Message{Type: signal.TypeEnded, Message: why})
		}
	}
	for _, h := range halls {
		h.close(ctx)
	}
	bc.peer.Stop()
	a.log.Info("broadcast ended", "page", page, "edges", len(bc.edges), "why", why)
}

// failover reacts to a server's lost session: the origin ends the
// broadcast; an edge ends for its viewers (they may watch again and get a
// new edge).
func (a *app) failover(ctx context.Context, f pool.Failover) {
	a.mu.Lock()
	bc := a.bc
	a.mu.Unlock()
	if bc == nil {
		return
	}
	if f.Key == broadcastKey {
		a.endBroadcast(ctx, bc.page, "the presenter's media server was lost")
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bc != bc {
		return
	}
	for i, h := range bc.edges {
		if h.key != f.Key {
			continue
		}
		h.close(ctx) // the relay's near end, still on a live server, goes too
		for _, v := range h.viewers {
			_ = v.conn.Send(ctx, signal.Message{Type: signal.TypeEnded, Message: "this viewer's media server was lost: watch again"})
		}
		bc.edges = append(bc.edges[:i], bc.edges[i+1:]...)
		a.log.Warn("edge lost", "hall", h.key, "server", f.URL)
		return
	}
}
