//go:build integration

package main

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/examples/internal/signal"
	"github.com/gokurento/kurento/examples/internal/signaltest"
	"github.com/gokurento/kurento/pool"
)

// TestIntegrationTwoServers runs the program on two real KMS: the presenter
// and the first viewer on one, the second viewer on an edge of the other,
// fed through a relay; everything ends with the presenter.
func TestIntegrationTwoServers(t *testing.T) {
	urlA, urlB := os.Getenv("KURENTO_URL"), os.Getenv("KURENTO_URL_2")
	if urlA == "" || urlB == "" {
		t.Skip("KURENTO_URL and KURENTO_URL_2 not both set: the cascade example's real-server test needs two KMS")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	p, err := pool.New(ctx, pool.Static(urlA, urlB))
	require.NoError(t, err)
	defer func() { _ = p.Close() }()
	a := newApp(p, nil, 1)
	defer a.stop()
	ts := httptest.NewServer(a.handler())
	defer ts.Close()
	open := func() *signal.Conn { return signaltest.Open(ctx, t, ts.URL) }

	pres := open()
	m := offer(ctx, t, pres, rolePresenter)
	require.Equal(t, signal.TypeAnswer, m.Type, m.Message)
	a.mu.Lock()
	origin := a.bc.origin.place.URL()
	a.mu.Unlock()
	// Other tests share these servers: keep the edge off the origin's one.
	require.NoError(t, p.Drain(origin))

	v1, v2 := open(), open()
	for _, v := range []*signal.Conn{v1, v2} {
		m = offer(ctx, t, v, roleViewer)
		require.Equal(t, signal.TypeAnswer, m.Type, m.Message)
	}
	a.mu.Lock()
	require.Len(t, a.bc.edges, 1)
	edge := a.bc.edges[0]
	assert.NotEqual(t, origin, edge.place.URL(), "the edge is on the other server")
	assert.Len(t, a.bc.origin.viewers, 1)
	assert.Len(t, edge.viewers, 1)
	near, far := edge.link.Near(), edge.link.Source()
	a.mu.Unlock()
	// The relay's ends are on their servers, negotiated.
	sdp, err := far.GetRemoteSessionDescriptor(ctx)
	require.NoError(t, err)
	assert.Contains(t, sdp, "m=video")
	_, err = near.GetRemoteSessionDescriptor(ctx)
	require.NoError(t, err)

	require.NoError(t, pres.Close())
	for _, v := range []*signal.Conn{v1, v2} {
		for m = next(ctx, t, v); m.Type != signal.TypeEnded; m = next(ctx, t, v) {
			t.Logf("before the end: %s %s", m.Type, m.Message)
		}
	}
	<-edge.link.Done()
}
