package signal

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/client"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// echo is a session that answers every offer with its own SDP.
type echo struct{ conn *Conn }

func (e echo) Handle(ctx context.Context, m Message) error {
	return e.conn.Send(ctx, Message{Type: TypeAnswer, SDP: m.SDP})
}

func (echo) Close(context.Context) {}

func TestRunWithEmbeddedFake(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run(runCtx, "demo", "127.0.0.1:0", "", &stderr, func(c *client.Client, log *slog.Logger) http.Handler {
			pages := fstest.MapFS{"index.html": {Data: []byte("<h1>demo</h1>")}}
			return Handler(pages, func(conn *Conn, _ int64) Session { return echo{conn} }, log)
		})
	}()

	addr := regexp.MustCompile(`demo: open (http://127\.0\.0\.1:\d+)/`)
	var base string
	require.Eventually(t, func() bool {
		m := addr.FindStringSubmatch(stderr.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond)
	assert.Contains(t, stderr.String(), "embedded fake KMS")

	for path, want := range map[string]string{"/": "<h1>demo</h1>", "/signal.js": "window.testState", "/style.css": "video"} {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		assert.Contains(t, string(body), want, path)
	}

	page, err := Dial(ctx, "ws"+base[len("http"):]+"/ws")
	require.NoError(t, err)
	require.NoError(t, page.Send(ctx, Message{Type: TypeOffer, SDP: "v=0"}))
	m, err := page.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, Message{Type: TypeAnswer, SDP: "v=0"}, m)

	stop() // ends the server and the page's socket
	require.NoError(t, <-done)
	_, err = page.Read(ctx)
	require.Error(t, err)
}

func TestRunFailsWithoutKMS(t *testing.T) {
	var stderr syncBuffer
	err := Run(t.Context(), "demo", "127.0.0.1:0", "ws://127.0.0.1:1/kurento", &stderr, nil)
	require.ErrorContains(t, err, "dial ws://127.0.0.1:1/kurento")
}

func TestServerInfoTellsThePagesWhichServer(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "page") })
	for _, info := range []serverInfo{{Kind: "fake", URL: "ws://127.0.0.1:1/kurento"}, {Kind: "kms", URL: "ws://kms:8888/kurento"}} {
		h := withServerInfo(app, info)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/server.json", nil))
		assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		assert.JSONEq(t, `{"kind":"`+info.Kind+`","url":"`+info.URL+`"}`, rec.Body.String())
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/index.html", nil))
		assert.Equal(t, "page", rec.Body.String(), "everything else goes to the program")
	}
}
