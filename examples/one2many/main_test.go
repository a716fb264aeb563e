package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/examples/internal/signal"
	"github.com/gokurento/kurento/examples/internal/signaltest"
	"github.com/gokurento/kurento/kurentotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// setup starts a fake KMS and the program's handler on it; open connects
// a page.
func setup(t *testing.T) (context.Context, *kurentotest.Server, func() *signal.Conn) {
	t.Helper()
	ctx, srv, base := signaltest.Start(t, newApp)
	return ctx, srv, func() *signal.Conn { return signaltest.Open(ctx, t, base) }
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
	assert.Equal(t, 1, signaltest.Count(srv, "MediaPipeline"))
	assert.Equal(t, 3, signaltest.Count(srv, "WebRtcEndpoint"))

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
	signaltest.WaitReleases(ctx, t, srv, 1)
	assert.Equal(t, 2, signaltest.Count(srv, "WebRtcEndpoint"))

	// When the presenter leaves, viewers are told and everything goes.
	require.NoError(t, pres.Close())
	m = next(ctx, t, v2)
	assert.Equal(t, signal.TypeEnded, m.Type)
	signaltest.WaitReleases(ctx, t, srv, 2)
	assert.Equal(t, 0, signaltest.Count(srv, "MediaPipeline"))
	assert.Equal(t, 0, signaltest.Count(srv, "WebRtcEndpoint"))

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
	assert.Equal(t, 0, signaltest.Count(srv, "MediaPipeline"))
}
