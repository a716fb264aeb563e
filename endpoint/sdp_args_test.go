package endpoint_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/pipeline"
)

func TestEmptySessionDescriptionFailsBeforeTheWire(t *testing.T) {
	t.Parallel()
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	require.NoError(t, err)
	before := len(srv.Calls())

	_, err = ep.ProcessOffer(ctx, "")
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	var se *client.Error
	assert.NotErrorAs(t, err, &se, "no server answered: not a server error")
	assert.True(t, client.IsLocal(err))
	assert.True(t, client.SafeToRetry(err))
	assert.Equal(t, "kurento: invoke processOffer on "+ep.ID()+": invalid argument: empty offer", err.Error())
	_, err = ep.ProcessAnswer(ctx, "")
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	assert.Len(t, srv.Calls(), before, "nothing was sent")
}

// TestNilHandlesFailLikeNilArguments: calls on a nil handle return
// ErrInvalidArgument instead of panicking.
func TestNilHandlesFailLikeNilArguments(t *testing.T) {
	t.Parallel()
	ctx, _, _ := dial(t)
	var ep *endpoint.WebRtcEndpoint
	require.ErrorIs(t, ep.GatherCandidates(ctx), client.ErrInvalidArgument)
	assert.Empty(t, ep.ID())
	assert.Nil(t, ep.Object())
	require.ErrorIs(t, ep.Release(ctx), client.ErrInvalidArgument)
	_, err := ep.GetStunServerAddress(ctx)
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	_, err = ep.OnIceCandidateFound(ctx)
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	require.ErrorIs(t, (*pipeline.MediaPipeline)(nil).Release(ctx), client.ErrInvalidArgument)
	assert.Empty(t, (*pipeline.MediaPipeline)(nil).ID())
}
