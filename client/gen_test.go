package client_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/types"
)

// fakeHandle is a handle as generated code writes them: Object is safe on
// a nil receiver.
type fakeHandle struct{ o *client.Object }

func (h *fakeHandle) Object() *client.Object {
	if h == nil {
		return nil
	}
	return h.o
}

// TestGeneratedCodeHelpers: the helpers of client/gen.go refuse nil
// handles and creators, typed nil pointers included, without reflect.
func TestGeneratedCodeHelpers(t *testing.T) {
	srv := kurentotest.NewServer(t)
	c1 := dial(t, srv)
	c2 := dial(t, srv)
	ctx := t.Context()
	p1, err := c1.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)

	for name, h := range map[string]client.Handle{
		"untyped nil":    nil,
		"typed nil":      (*fakeHandle)(nil),
		"nil reference":  &fakeHandle{},
		"another client": &fakeHandle{o: c2.Object("MediaPipeline", p1.ID())},
	} {
		_, err := client.RefArg(p1, "sink", h)
		require.Error(t, err, name)
		err = client.ArgError(p1, "invoke", "connect", err)
		require.ErrorIs(t, err, client.ErrInvalidArgument, name)
		assert.Contains(t, err.Error(), "sink", name)
	}
	o, err := client.RefArg(p1, "sink", &fakeHandle{o: p1})
	require.NoError(t, err)
	assert.Same(t, p1, o)

	for name, cr := range map[string]client.Creator{
		"untyped nil": nil,
		"nil client":  (*client.Client)(nil),
		"nil tx":      (*client.Tx)(nil),
		"nil object":  (*client.Object)(nil),
	} {
		require.ErrorIs(t, client.CheckCreator(cr, "MediaPipeline"), client.ErrInvalidArgument, name)
	}
	require.NoError(t, client.CheckCreator(c1, "MediaPipeline"))

	err = client.InvalidEnum(nil, "create", "X", "mediaType", "MediaType", "SMELL")
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	require.ErrorIs(t, err, types.ErrInvalidEnum)
	require.ErrorIs(t, client.EmptyArg(p1, "invoke", "processOffer", "offer"), client.ErrInvalidArgument)
}

// TestLookupClass: a typed lookup accepts the class and its ancestors,
// refuses another class with ErrWrongClass, and needs no registration.
func TestLookupClass(t *testing.T) {
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := t.Context()
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	ep, err := c.CreateObject(ctx, "WebRtcEndpoint", map[string]any{"mediaPipeline": p})
	require.NoError(t, err)

	for _, class := range []string{"WebRtcEndpoint", "BaseRtpEndpoint", "Endpoint", "MediaElement", "MediaObject"} {
		o, err := client.LookupClass(ctx, c, ep.ID(), class)
		require.NoError(t, err, class)
		assert.Equal(t, "WebRtcEndpoint", o.Type(), "the object has its described class")
		assert.Equal(t, ep.ID(), o.ID())
	}
	_, err = client.LookupClass(ctx, c, ep.ID(), "MediaPipeline")
	require.ErrorIs(t, err, client.ErrWrongClass)
	h, err := client.LookupAs(ctx, c, ep.ID(), "Endpoint", func(o *client.Object) *fakeHandle { return &fakeHandle{o: o} })
	require.NoError(t, err)
	assert.Equal(t, ep.ID(), h.Object().ID())
	h, err = client.LookupAs(ctx, c, p.ID(), "Endpoint", func(o *client.Object) *fakeHandle { return &fakeHandle{o: o} })
	require.ErrorIs(t, err, client.ErrWrongClass)
	assert.Nil(t, h)
	_, err = client.LookupClass(ctx, c, "no-such-object", "MediaPipeline")
	require.ErrorIs(t, err, client.ErrObjectNotFound)
	_, err = client.LookupClass(context.Background(), nil, ep.ID(), "MediaPipeline")
	require.ErrorIs(t, err, client.ErrInvalidArgument)
}
