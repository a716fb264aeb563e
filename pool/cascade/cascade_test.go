package cascade_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/filter"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/pool/cascade"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type side struct {
	srv *kurentotest.Server
	c   *client.Client
	p   *pipeline.MediaPipeline
}

func newSide(t *testing.T, opts ...kurentotest.Option) side {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	srv := kurentotest.NewServer(t, opts...)
	c, err := client.Dial(ctx, srv.URL(), client.WithBackoff(client.Backoff{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	return side{srv: srv, c: c, p: p}
}

func (s side) has(id string) bool {
	_, ok := s.srv.Object(id)
	return ok
}

// relay builds player → near RtpEndpoint ~ far RtpEndpoint → PassThrough;
// the returned ctx ends with the test, within 20 s.
func relay(t *testing.T) (context.Context, side, side, *cascade.Link) {
	t.Helper()
	a, b := newSide(t), newSide(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	player, err := endpoint.NewPlayerEndpoint(ctx, a.p, "file:///media/talk.webm", nil)
	require.NoError(t, err)
	l, err := cascade.Relay(ctx, player, b.p, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close(context.WithoutCancel(ctx)) })
	sink, err := filter.NewPassThrough(ctx, b.p, nil)
	require.NoError(t, err)
	require.NoError(t, l.Source().Connect(ctx, sink, nil))
	return ctx, a, b, l
}

func TestRelayNegotiates(t *testing.T) {
	ctx, a, b, l := relay(t)
	assert.True(t, a.has(l.Near().ID()), "near endpoint on the source's server")
	assert.True(t, b.has(l.Source().ID()), "far endpoint on the other server")

	// The far side answered exactly the near side's offer, and the near
	// side took that answer.
	offer, err := l.Near().GetLocalSessionDescriptor(ctx)
	require.NoError(t, err)
	remote, err := l.Source().GetRemoteSessionDescriptor(ctx)
	require.NoError(t, err)
	assert.Equal(t, offer, remote)
	answer, err := l.Source().GetLocalSessionDescriptor(ctx)
	require.NoError(t, err)
	got, err := l.Near().GetRemoteSessionDescriptor(ctx)
	require.NoError(t, err)
	assert.Equal(t, answer, got)
	var connected bool
	for _, c := range a.srv.Calls() {
		if c.Operation == "connect" && c.Object != l.Near().ID() {
			var params struct {
				OperationParams struct{ Sink string } `json:"operationParams"`
			}
			require.NoError(t, json.Unmarshal(c.Params, &params))
			connected = connected || params.OperationParams.Sink == l.Near().ID()
		}
	}
	assert.True(t, connected, "the source is connected to the near endpoint")

	require.NoError(t, l.Close(ctx))
	<-l.Done()
	assert.False(t, a.has(l.Near().ID()))
	assert.False(t, b.has(l.Source().ID()))
	require.NoError(t, l.Close(ctx), "idempotent")
}

func TestLifetimesTied(t *testing.T) {
	tests := []struct {
		name    string
		end     func(a, b side) error
		survive func(a, b side) side // the side whose endpoint the link must release
	}{
		{"far pipeline released", func(_, b side) error { return b.p.Release(t.Context()) }, func(a, _ side) side { return a }},
		{"near pipeline released", func(a, _ side) error { return a.p.Release(t.Context()) }, func(_, b side) side { return b }},
		{"near server restarted", func(a, _ side) error { a.srv.Restart(); return nil }, func(_, b side) side { return b }},
		{"far client closed", func(_, b side) error { return b.c.Close() }, func(a, _ side) side { return a }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, a, b, l := relay(t)
			survivor := tt.survive(a, b)
			id := l.Near().ID()
			if survivor.srv == b.srv {
				id = l.Source().ID()
			}
			require.True(t, survivor.has(id))
			require.NoError(t, tt.end(a, b))
			select {
			case <-l.Done():
			case <-ctx.Done():
				t.Fatal("the link did not end")
			}
			assert.False(t, survivor.has(id), "the other side was released")
		})
	}
}

func TestRelayBadArguments(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	a := newSide(t)
	_, err := cascade.Relay(ctx, nil, a.p, nil)
	require.ErrorIs(t, err, client.ErrInvalidArgument)

	// A failing negotiation leaves nothing behind on either server.
	b := newSide(t)
	player, err := endpoint.NewPlayerEndpoint(ctx, a.p, "file:///x.webm", nil)
	require.NoError(t, err)
	b.srv.React("processOffer", kurentotest.Reaction{Fail: &kurentotest.Failure{Code: 40205, Message: "cannot process offer"}})
	_, err = cascade.Relay(ctx, player, b.p, nil)
	require.ErrorIs(t, err, client.ErrSDPProcessOffer)
	for _, s := range []side{a, b} {
		for _, o := range s.srv.Objects() {
			assert.NotEqual(t, "RtpEndpoint", o.Type, "left behind: %s", o.ID)
		}
	}
}
