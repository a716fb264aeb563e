package client_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
)

// wssProxy serves wss:// with httptest's certificate and relays every
// websocket to the fake server. It records the Authorization header of
// each handshake.
func wssProxy(t *testing.T, srv *kurentotest.Server) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var auth []string
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		down, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = down.CloseNow() }()
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		up, resp, err := websocket.Dial(ctx, srv.URL(), nil)
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		if err != nil {
			return
		}
		defer func() { _ = up.CloseNow() }()
		up.SetReadLimit(-1)
		down.SetReadLimit(-1)
		relay := func(from, to *websocket.Conn) {
			defer cancel()
			for {
				typ, b, err := from.Read(ctx)
				if err != nil || to.Write(ctx, typ, b) != nil {
					return
				}
			}
		}
		var wg sync.WaitGroup
		wg.Go(func() { relay(down, up) })
		wg.Go(func() { relay(up, down) })
		wg.Wait()
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), auth...)
	}
}

// captured is one log record, rendered with its attributes.
type captured struct {
	level slog.Level
	text  string
}

// captureHandler records every record at Debug and above.
type captureHandler struct {
	mu    *sync.Mutex
	recs  *[]captured
	attrs []slog.Attr
}

func (h captureHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h captureHandler) Handle(ctx context.Context, r slog.Record) error {
	var b strings.Builder
	th := slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}).WithAttrs(h.attrs)
	if err := th.Handle(ctx, r); err != nil {
		return err
	}
	h.mu.Lock()
	*h.recs = append(*h.recs, captured{level: r.Level, text: b.String()})
	h.mu.Unlock()
	return nil
}

func (h captureHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return h
}

func (h captureHandler) WithGroup(string) slog.Handler { return h }

func TestWSSWithCustomCAHeadersAndNoSecretsInLogs(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	ts, auths := wssProxy(t, srv)
	url := "wss://" + strings.TrimPrefix(ts.URL, "https://") + kurentotest.Path
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	ctx := testCtx(t)

	// Without the CA the handshake fails on the certificate.
	_, err := client.Dial(ctx, url)
	require.Error(t, err)
	var unknown x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	assert.True(t, errors.As(err, &unknown) || errors.As(err, &verify), "certificate error, got %v", err)

	const token = "Bearer s3cr3t-t0ken-value"
	var mu sync.Mutex
	var recs []captured
	logger := slog.New(captureHandler{mu: &mu, recs: &recs})
	c, err := client.Dial(ctx, url,
		client.WithTLSConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}),
		client.WithHTTPHeader(http.Header{"Authorization": {token}}),
		client.WithLogger(logger))
	require.NoError(t, err)
	assert.Contains(t, auths(), token, "the extra header reached the server")

	const marker = "a=x-secret-sdp-marker-7f3a"
	offer := chaosOffer + marker + "\r\n"
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	ep, err := p.CreateObject(ctx, "WebRtcEndpoint", map[string]any{"mediaPipeline": p})
	require.NoError(t, err)
	var answer string
	require.NoError(t, ep.Invoke(ctx, "processOffer", map[string]any{"offer": offer}, &answer))
	assert.True(t, strings.HasPrefix(answer, "v=0"))
	// A failing call and a reconnect log too.
	require.Error(t, ep.Invoke(ctx, "processOffer", map[string]any{"offer": offer}, nil))
	srv.DropConnections()
	require.NoError(t, ep.Invoke(ctx, "getName", nil, nil))
	require.NoError(t, c.Close())

	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, recs, "the client logs at Info at least")
	answerBody := strings.TrimPrefix(answer, "v=0")
	for _, r := range recs {
		for _, secret := range []string{"s3cr3t-t0ken-value", marker, "ice-pwd", answerBody[:min(len(answerBody), 40)]} {
			if r.level >= slog.LevelInfo {
				assert.NotContains(t, r.text, secret, "a record at %v shows a secret", r.level)
			} else {
				assert.NotContains(t, r.text, secret, "a Debug record shows a secret unredacted")
			}
		}
	}
}
