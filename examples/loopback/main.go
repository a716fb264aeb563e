// Command loopback serves a page that sends the browser's camera and
// microphone through Kurento Media Server and back: one WebRtcEndpoint
// connected to itself in a pipeline of its own per page.
//
// The page and this server talk over a websocket (see
// examples/internal/signal): the page's SDP offer goes to
// WebRtcEndpoint.ProcessOffer and the answer back; KMS's ICE candidates
// (from the endpoint's ordered Events stream, then "end of candidates") go
// to the page and the page's to AddIceCandidate.
// When the page stops or goes away, its pipeline is released.
//
// With KURENTO_URL set (e.g. ws://127.0.0.1:8888/kurento) it uses that
// server; otherwise it starts the SDK's embedded fake KMS, which carries
// the media too (kurentotest.WithMedia). Then open the address it prints:
//
//	go run ./examples/loopback -listen 127.0.0.1:8443
package main

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/examples/internal/signal"
	"github.com/gokurento/kurento/pipeline"
)

//go:embed web
var web embed.FS

func main() { signal.Main("loopback", newApp) }

// newApp serves the page and one loopback per connected page.
func newApp(c *client.Client, log *slog.Logger) http.Handler {
	pages, _ := fs.Sub(web, "web")
	return signal.Handler(pages, func(conn *signal.Conn, _ int64) signal.Session {
		return &session{c: c, conn: conn}
	}, log)
}

// session is one page's loopback.
type session struct {
	c    *client.Client
	conn *signal.Conn
	p    *pipeline.MediaPipeline // nil until the offer
	peer *signal.Peer
}

func (s *session) Handle(ctx context.Context, m signal.Message) error {
	switch m.Type {
	case signal.TypeOffer:
		if s.p != nil {
			return errors.New("already started: stop first")
		}
		return s.start(ctx, m.SDP)
	case signal.TypeCandidate:
		if s.peer == nil {
			return errors.New("candidate before offer")
		}
		return s.peer.AddCandidate(ctx, m.Candidate)
	case signal.TypeStop:
		s.Close(ctx)
		return nil
	default:
		return errors.New("unknown message type " + m.Type)
	}
}

func (s *session) start(ctx context.Context, offer string) (err error) {
	p, err := pipeline.NewMediaPipeline(ctx, s.c, nil)
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
	if err := ep.Connect(ctx, ep, nil); err != nil { // the loop
		return err
	}
	peer, err := signal.Negotiate(ctx, s.conn, ep, offer)
	if err != nil {
		return err
	}
	s.p, s.peer = p, peer
	return nil
}

// Close releases the pipeline, and with it the endpoint, then ends the
// candidate relay.
func (s *session) Close(ctx context.Context) {
	if s.p == nil {
		return
	}
	_ = s.p.Release(ctx) // if this fails, closing the client frees it
	s.peer.Stop()
	s.p, s.peer = nil, nil
}
