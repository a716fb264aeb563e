package main

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/examples/internal/signal"
	"github.com/gokurento/kurento/examples/internal/signaltest"
	"github.com/gokurento/kurento/kurentotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// setup starts a fake KMS and the program's handler on it and returns the
// handler's address.
func setup(t *testing.T) (context.Context, *kurentotest.Server, string) {
	t.Helper()
	return signaltest.Start(t, newApp)
}

func TestPages(t *testing.T) {
	_, _, base := setup(t)
	for path, want := range map[string]string{
		"/":          `<button id="start">`,
		"/signal.js": "class Call",
		"/style.css": "video",
	} {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, string(body), want, path)
	}
}

func TestLoopbackSignalling(t *testing.T) {
	ctx, srv, base := setup(t)
	page, err := signal.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws")
	require.NoError(t, err)

	// Candidates are refused until the call exists.
	require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeCandidate, Candidate: &signal.TestCandidate}))
	m, err := page.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, signal.TypeError, m.Type)

	require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeOffer, SDP: signal.TestOffer}))
	m, err = page.Read(ctx)
	require.NoError(t, err)
	require.Equal(t, signal.TypeAnswer, m.Type, m.Message)
	assert.True(t, strings.HasPrefix(m.SDP, "v=0"), m.SDP)

	// KMS's candidates reach the page, for both m-lines.
	mids := map[string]bool{}
	for len(mids) < 2 {
		m, err = page.Read(ctx)
		require.NoError(t, err)
		require.Equal(t, signal.TypeCandidate, m.Type)
		require.NotNil(t, m.Candidate)
		assert.Contains(t, m.Candidate.Candidate, "candidate:")
		mids[m.Candidate.SdpMid] = true
	}
	// "End of candidates" (a candidate message without one) comes after
	// the last candidate, never before.
	for m.Candidate != nil {
		m, err = page.Read(ctx)
		require.NoError(t, err)
		require.Equal(t, signal.TypeCandidate, m.Type)
	}

	// The page's candidates reach KMS.
	require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeCandidate, Candidate: &signal.TestCandidate}))
	call, err := srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Operation == "addIceCandidate" })
	require.NoError(t, err)
	assert.Contains(t, string(call.Params), "192.0.2.7 50312")

	assert.Equal(t, 1, signaltest.Count(srv, "MediaPipeline"))
	assert.Equal(t, 1, signaltest.Count(srv, "WebRtcEndpoint"))
	connected := slices.ContainsFunc(srv.Calls(), func(c kurentotest.Call) bool { return c.Operation == "connect" })
	assert.True(t, connected, "endpoint connected to itself")

	// A second offer on the same page is refused.
	require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeOffer, SDP: signal.TestOffer}))
	for {
		m, err = page.Read(ctx)
		require.NoError(t, err)
		if m.Type != signal.TypeCandidate {
			break
		}
	}
	assert.Equal(t, signal.TypeError, m.Type)

	// Leaving releases everything of the page.
	require.NoError(t, page.Close())
	_, err = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "release" })
	require.NoError(t, err)
	assert.Equal(t, 0, signaltest.Count(srv, "MediaPipeline"))
	assert.Equal(t, 0, signaltest.Count(srv, "WebRtcEndpoint"))
}

func TestStopThenStartAgain(t *testing.T) {
	ctx, srv, base := setup(t)
	page, err := signal.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws")
	require.NoError(t, err)
	defer func() { _ = page.Close() }()
	for round := 1; round <= 2; round++ {
		require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeOffer, SDP: signal.TestOffer}))
		m, err := page.Read(ctx)
		for err == nil && m.Type == signal.TypeCandidate { // late ones of the previous round
			m, err = page.Read(ctx)
		}
		require.NoError(t, err)
		require.Equal(t, signal.TypeAnswer, m.Type, m.Message)
		require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeStop}))
		releases := 0
		_, err = srv.WaitCall(ctx, func(c kurentotest.Call) bool {
			if c.Method == "release" {
				releases++
			}
			return releases == round
		})
		require.NoError(t, err)
		assert.Equal(t, 0, signaltest.Count(srv, "MediaPipeline"), "round %d", round)
	}
}
