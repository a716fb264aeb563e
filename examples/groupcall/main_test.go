package main

import (
	"context"
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

// setup starts a fake KMS and the program's handler on it; open connects
// a page.
func setup(t *testing.T) (context.Context, *kurentotest.Server, func() *signal.Conn) {
	t.Helper()
	ctx, srv, base := signaltest.Start(t, newApp)
	return ctx, srv, func() *signal.Conn { return signaltest.Open(ctx, t, base) }
}

// until reads messages until one of type typ (and, for peers, the given
// count) arrives.
func until(ctx context.Context, t *testing.T, page *signal.Conn, typ string, peers int) signal.Message {
	t.Helper()
	for {
		m, err := page.Read(ctx)
		require.NoError(t, err)
		require.NotEqual(t, signal.TypeError, m.Type, m.Message)
		if m.Type == typ && (typ != signal.TypePeers || m.Count == peers) {
			return m
		}
	}
}

func TestGroupCall(t *testing.T) {
	ctx, srv, open := setup(t)
	var pages []*signal.Conn
	for i, name := range []string{"ann", "bo", "cy"} {
		page := open()
		require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeOffer, Name: name, SDP: signal.TestOffer}))
		m := until(ctx, t, page, signal.TypeAnswer, 0)
		assert.True(t, strings.HasPrefix(m.SDP, "v=0"))
		// KMS's candidates and the participant count arrive in any order.
		var candidate, counted bool
		for !candidate || !counted {
			m, err := page.Read(ctx)
			require.NoError(t, err)
			candidate = candidate || m.Type == signal.TypeCandidate
			counted = counted || (m.Type == signal.TypePeers && m.Count == i+1)
		}
		require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeCandidate, Candidate: &signal.TestCandidate}))
		pages = append(pages, page)
	}
	for _, page := range pages[:2] {
		until(ctx, t, page, signal.TypePeers, 3) // the earlier ones hear of the newcomers
	}
	adds := 0
	_, err := srv.WaitCall(ctx, func(c kurentotest.Call) bool {
		if c.Operation == "addIceCandidate" {
			adds++
		}
		return adds == 3
	})
	require.NoError(t, err)
	assert.Equal(t, 1, signaltest.Count(srv, "MediaPipeline"))
	assert.Equal(t, 1, signaltest.Count(srv, "Composite"))
	assert.Equal(t, 3, signaltest.Count(srv, "HubPort"))
	assert.Equal(t, 3, signaltest.Count(srv, "WebRtcEndpoint"))

	// One leaves: its port and endpoint go, the others are told.
	require.NoError(t, pages[1].Close())
	signaltest.WaitReleases(ctx, t, srv, 2)
	until(ctx, t, pages[0], signal.TypePeers, 2)
	assert.Equal(t, 2, signaltest.Count(srv, "HubPort"))
	assert.Equal(t, 2, signaltest.Count(srv, "WebRtcEndpoint"))

	// Another stops without closing its page, then the last one leaves:
	// the room is released.
	require.NoError(t, pages[2].Send(ctx, signal.Message{Type: signal.TypeStop}))
	signaltest.WaitReleases(ctx, t, srv, 4)
	require.NoError(t, pages[0].Close())
	signaltest.WaitReleases(ctx, t, srv, 5)
	for _, typ := range []string{"MediaPipeline", "Composite", "HubPort", "WebRtcEndpoint"} {
		assert.Equal(t, 0, signaltest.Count(srv, typ), typ)
	}

	// The room opens again for the next one.
	page := open()
	require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeOffer, Name: "di", SDP: signal.TestOffer}))
	until(ctx, t, page, signal.TypeAnswer, 0)
	assert.Equal(t, 1, signaltest.Count(srv, "Composite"))
}

func TestJoinTwiceAndBadOffer(t *testing.T) {
	ctx, srv, open := setup(t)
	page := open()
	require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeOffer, SDP: "not sdp"}))
	m, err := page.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, signal.TypeError, m.Type)
	signaltest.WaitReleases(ctx, t, srv, 1) // the room opened for it is closed again
	assert.Equal(t, 0, signaltest.Count(srv, "MediaPipeline"))

	require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeOffer, SDP: signal.TestOffer}))
	until(ctx, t, page, signal.TypeAnswer, 0)
	require.NoError(t, page.Send(ctx, signal.Message{Type: signal.TypeOffer, SDP: signal.TestOffer}))
	for {
		m, err = page.Read(ctx)
		require.NoError(t, err)
		if m.Type == signal.TypeError {
			break
		}
	}
	assert.Contains(t, m.Message, "already in the call")
}
