package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/examples/internal/signal"
	"github.com/gokurento/kurento/examples/internal/signaltest"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// setup starts two fakes, a pool over them and the program's handler;
// open connects a page.
func setup(t *testing.T, per int, opts ...kurentotest.Option) (context.Context, [2]*kurentotest.Server, func() *signal.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	srvs := [2]*kurentotest.Server{kurentotest.NewServer(t, opts...), kurentotest.NewServer(t, opts...)}
	p, err := pool.New(ctx, pool.Static(srvs[0].URL(), srvs[1].URL()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	a := newApp(p, nil, per)
	t.Cleanup(a.stop)
	ts := httptest.NewServer(a.handler())
	t.Cleanup(ts.Close)
	return ctx, srvs, func() *signal.Conn { return signaltest.Open(ctx, t, ts.URL) }
}

// next reads the next message that is not an ICE candidate.
func next(ctx context.Context, t *testing.T, page *signal.Conn) signal.Message {
	t.Helper()
	for {
		m, err := page.Read(ctx)
		require.NoError(t, err)
		if m.Type != signal.TypeCandidate {
			return m
		}
	}
}

// offer sends an offer for role and returns the reply.
func offer(ctx context.Context, t *testing.T, page *signal.Conn, role string) signal.Message {
	t.Helper()
	require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeOffer, Role: role, SDP: signal.TestOffer}))
	return next(ctx, t, page)
}

func count(srvs [2]*kurentotest.Server, typ string) (n [2]int) {
	for i, s := range srvs {
		n[i] = signaltest.Count(s, typ)
	}
	return n
}

func TestViewersSpreadOverServers(t *testing.T) {
	ctx, srvs, open := setup(t, 1)

	pres := open()
	m := offer(ctx, t, pres, rolePresenter)
	require.Equal(t, signal.TypeAnswer, m.Type, m.Message)
	origin := 0
	if count(srvs, "MediaPipeline")[1] == 1 {
		origin = 1
	}
	edge := 1 - origin

	// The first viewer fits in the origin pipeline; the second gets an
	// edge on the other, idle server, fed through a relay.
	v1, v2 := open(), open()
	for _, v := range []*signal.Conn{v1, v2} {
		m = offer(ctx, t, v, roleViewer)
		require.Equal(t, signal.TypeAnswer, m.Type, m.Message)
	}
	pls, webrtc, rtp := count(srvs, "MediaPipeline"), count(srvs, "WebRtcEndpoint"), count(srvs, "RtpEndpoint")
	assert.Equal(t, 1, pls[origin])
	assert.Equal(t, 1, pls[edge])
	assert.Equal(t, 2, webrtc[origin], "presenter and first viewer")
	assert.Equal(t, 1, webrtc[edge], "second viewer")
	assert.Equal(t, 1, rtp[origin], "the relay's near end")
	assert.Equal(t, 1, rtp[edge], "the relay's far end")

	// Once the second viewer's candidate reached its server, its call is
	// set up (the page's messages are handled in order).
	require.NoError(t, v2.Send(ctx, signal.Message{Type: signal.TypeCandidate, Candidate: &signal.TestCandidate}))
	_, err := srvs[edge].WaitCall(ctx, func(c kurentotest.Call) bool { return c.Operation == "addIceCandidate" })
	require.NoError(t, err)

	// The edge's server restarts: only its viewer is told, and watching
	// again builds a new edge.
	srvs[edge].Restart()
	for m = next(ctx, t, v2); m.Type == signal.TypeError; m = next(ctx, t, v2) {
		// The lost endpoint's candidate gathering may fail first.
		assert.Contains(t, m.Message, "session lost")
	}
	assert.Equal(t, signal.TypeEnded, m.Type)
	assert.Contains(t, m.Message, "watch again")
	total := func(n [2]int) int { return n[0] + n[1] }
	assert.Equal(t, 0, total(count(srvs, "RtpEndpoint")), "the lost relay's near end went with it")
	require.NoError(t, v2.Send(ctx, signal.Message{Type: signal.TypeStop}))
	require.NoError(t, v2.Send(ctx, signal.Message{Type: signal.TypeOffer, Role: roleViewer, SDP: signal.TestOffer}))
	for m = next(ctx, t, v2); m.Type == signal.TypeError; m = next(ctx, t, v2) {
		// The reply to the candidate sent before the restart may come late.
		assert.Contains(t, m.Message, "session lost")
	}
	require.Equal(t, signal.TypeAnswer, m.Type, m.Message)
	// The new edge goes to whichever server is ready and least loaded.
	assert.Equal(t, 3, total(count(srvs, "WebRtcEndpoint")))
	assert.Equal(t, 2, total(count(srvs, "RtpEndpoint")), "a new relay")

	// The presenter leaves: every viewer is told, and once the broadcast
	// is gone a new presenter starts on empty servers.
	require.NoError(t, pres.Close())
	for _, v := range []*signal.Conn{v1, v2} {
		m = next(ctx, t, v)
		assert.Equal(t, signal.TypeEnded, m.Type)
	}
	m = offer(ctx, t, open(), rolePresenter)
	require.Equal(t, signal.TypeAnswer, m.Type, m.Message)
	assert.Equal(t, 1, total(count(srvs, "MediaPipeline")))
	assert.Equal(t, 0, total(count(srvs, "RtpEndpoint")))
	assert.Equal(t, 1, total(count(srvs, "WebRtcEndpoint")))
}

// serving is a log writer that tells when run printed its address.
type serving struct {
	mu   sync.Mutex
	b    bytes.Buffer
	once sync.Once
	up   chan struct{}
}

func (s *serving) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if strings.Contains(s.b.String(), "cascade: open http://") {
		s.once.Do(func() { close(s.up) })
	}
	return n, err
}

func (s *serving) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunWithEmbeddedFakes(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	out := &serving{up: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- run(runCtx, "127.0.0.1:0", []string{"", ""}, 2, out) }()
	select {
	case <-out.up:
	case err := <-done:
		t.Fatalf("run ended early: %v\n%s", err, out.String())
	case <-ctx.Done():
		t.Fatal("run did not start serving")
	}
	stop()
	require.NoError(t, <-done)
	assert.Contains(t, out.String(), "two embedded fake KMS")
}
