package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/examples/internal/signal"
	"github.com/gokurento/kurento/kurentotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// setup starts a fake KMS and the program's handler on it; open connects
// a page.
func setup(t *testing.T) (ctx context.Context, srv *kurentotest.Server, open func() *signal.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	srv = kurentotest.NewServer(t)
	c, err := client.Dial(ctx, srv.URL())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	ts := httptest.NewServer(newApp(c, nil))
	t.Cleanup(ts.Close)
	return ctx, srv, func() *signal.Conn {
		page, err := signal.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws")
		require.NoError(t, err)
		t.Cleanup(func() { _ = page.Close() })
		return page
	}
}

// count returns how many live objects of class typ the fake holds.
func count(srv *kurentotest.Server, typ string) int {
	n := 0
	for _, o := range srv.Objects() {
		if o.Type == typ {
			n++
		}
	}
	return n
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

// waitReleases waits until the fake has received n release requests.
func waitReleases(ctx context.Context, t *testing.T, srv *kurentotest.Server, n int) {
	t.Helper()
	seen := 0
	_, err := srv.WaitCall(ctx, func(c kurentotest.Call) bool {
		if c.Method == "release" {
			seen++
		}
		return seen == n
	})
	require.NoError(t, err)
}

func TestOneToMany(t *testing.T) {
	ctx, srv, open := setup(t)

	early := open()
	m := offer(ctx, t, early, roleViewer)
	assert.Equal(t, signal.TypeError, m.Type)
	assert.Contains(t, m.Message, "nobody is presenting")

	pres := open()
	m = offer(ctx, t, pres, rolePresenter)
	require.Equal(t, signal.TypeAnswer, m.Type, m.Message)

	m = offer(ctx, t, open(), rolePresenter)
	assert.Equal(t, signal.TypeError, m.Type, "a second presenter is refused")

	v1, v2 := open(), open()
	for _, v := range []*signal.Conn{v1, v2} {
		m = offer(ctx, t, v, roleViewer)
		require.Equal(t, signal.TypeAnswer, m.Type, m.Message)
		// KMS's candidates reach the viewer, and the viewer's reach KMS.
		m, err := v.Read(ctx)
		require.NoError(t, err)
		assert.Equal(t, signal.TypeCandidate, m.Type)
		require.NoError(t, v.Send(ctx, signal.Message{Type: signal.TypeCandidate, Candidate: &signal.TestCandidate}))
	}
	adds := 0
	_, err := srv.WaitCall(ctx, func(c kurentotest.Call) bool {
		if c.Operation == "addIceCandidate" {
			adds++
		}
		return adds == 2
	})
	require.NoError(t, err)
	assert.Equal(t, 1, count(srv, "MediaPipeline"))
	assert.Equal(t, 3, count(srv, "WebRtcEndpoint"))

	// The presenter's endpoint sends to both viewers.
	var presenterEP string
	var sinks []string
	for _, c := range srv.Calls() {
		if c.Operation != "connect" {
			continue
		}
		var p struct {
			OperationParams struct{ Sink string } `json:"operationParams"`
		}
		require.NoError(t, json.Unmarshal(c.Params, &p))
		if presenterEP == "" {
			presenterEP = c.Object
		}
		assert.Equal(t, presenterEP, c.Object)
		sinks = append(sinks, p.OperationParams.Sink)
	}
	assert.Len(t, sinks, 2)

	// A viewer that leaves takes only its endpoint.
	require.NoError(t, v1.Close())
	waitReleases(ctx, t, srv, 1)
	assert.Equal(t, 2, count(srv, "WebRtcEndpoint"))

	// When the presenter leaves, viewers are told and everything goes.
	require.NoError(t, pres.Close())
	m = next(ctx, t, v2)
	assert.Equal(t, signal.TypeEnded, m.Type)
	waitReleases(ctx, t, srv, 2)
	assert.Equal(t, 0, count(srv, "MediaPipeline"))
	assert.Equal(t, 0, count(srv, "WebRtcEndpoint"))

	// The viewer leaving afterwards has nothing left to release, and a new
	// presenter can start.
	require.NoError(t, v2.Close())
	m = offer(ctx, t, open(), rolePresenter)
	assert.Equal(t, signal.TypeAnswer, m.Type, m.Message)
}

func TestUnknownRole(t *testing.T) {
	ctx, srv, open := setup(t)
	m := offer(ctx, t, open(), "director")
	assert.Equal(t, signal.TypeError, m.Type)
	assert.Equal(t, 0, count(srv, "MediaPipeline"))
}
