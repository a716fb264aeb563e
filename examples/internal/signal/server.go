package signal

import (
	"context"
	_ "embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

//go:embed signal.js
var script []byte

//go:embed style.css
var style []byte

// Session is the server side of one page. Handle is called for each
// message of the page in order, never concurrently; an error it returns is
// sent to the page as an error message. Close is called once, after the
// last Handle, when the socket ends; it must release every server object of
// the page.
type Session interface {
	Handle(ctx context.Context, m Message) error
	Close(ctx context.Context)
}

// NewSession makes the session of a page that just connected; id tells
// pages apart in logs.
type NewSession func(conn *Conn, id int64) Session

// releaseTimeout bounds the clean-up of a page that left.
const releaseTimeout = 10 * time.Second

// Handler serves the program: its pages at /, the shared page script and
// style sheet at /signal.js and /style.css, and the signalling websocket at
// /ws. log may be nil.
func Handler(pages fs.FS, newSession NewSession, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var ids atomic.Int64
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(pages))
	mux.HandleFunc("GET /signal.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		_, _ = w.Write(script)
	})
	mux.HandleFunc("GET /style.css", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		_, _ = w.Write(style)
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		// Accept checks that the page comes from this host.
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			log.Warn("websocket refused", "err", err)
			return
		}
		ws.SetReadLimit(1 << 20) // SDP offers are a few kilobytes
		id := ids.Add(1)
		conn := NewConn(ws)
		log := log.With("page", id)
		log.Info("page connected")
		serve(r.Context(), conn, newSession(conn, id), log)
		_ = ws.CloseNow()
		log.Info("page left, its objects are released")
	})
	return mux
}

// serve runs one page's session until its socket ends.
func serve(ctx context.Context, conn *Conn, s Session, log *slog.Logger) {
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		s.Close(ctx)
	}()
	for {
		m, err := conn.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) {
				log.Debug("read", "err", err)
			}
			return
		}
		if err := s.Handle(ctx, m); err != nil {
			log.Warn("request failed", "type", m.Type, "err", err)
			if conn.Send(ctx, Message{Type: TypeError, Message: err.Error()}) != nil {
				return
			}
		}
	}
}
