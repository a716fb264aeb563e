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
	require.ErrorIs(t, err, client.ErrSDPParse, "the code KMS would have answered")
	_, err = ep.ProcessAnswer(ctx, "")
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	assert.Len(t, srv.Calls(), before, "nothing was sent")
}
