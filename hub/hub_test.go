package hub_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/hub"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

func TestPortsOnHubs(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	comp, err := hub.NewComposite(ctx, p, &hub.CompositeOptions{Width: types.Ptr[int32](0), Framerate: types.Ptr[int32](30)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"mediaPipeline":"`+p.ID()+`","width":0,"framerate":30}`,
		string(lastParams(t, srv, "create", "")["constructorParams"]))

	port, err := hub.NewHubPort(ctx, comp, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"hub":"`+comp.ID()+`"}`, string(lastParams(t, srv, "create", "")["constructorParams"]))
	assert.True(t, strings.HasPrefix(port.ID(), comp.ID()+"/"), "a port lives in its hub: %s", port.ID())

	gotPort, err := hub.LookupHubPort(ctx, c, port.ID())
	require.NoError(t, err)
	assert.Equal(t, port.ID(), gotPort.ID())
	gotComp, err := hub.LookupComposite(ctx, c, comp.ID())
	require.NoError(t, err)
	assert.Equal(t, comp.ID(), gotComp.ID())
	_, err = hub.LookupComposite(ctx, c, port.ID())
	require.ErrorIs(t, err, client.ErrWrongClass)

	// A port is a media element: it connects like one.
	other, err := hub.NewHubPort(ctx, comp, nil)
	require.NoError(t, err)
	require.NoError(t, port.Connect(ctx, other, nil))
}

func TestDispatcherAndMixer(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	d, err := hub.NewDispatcher(ctx, p, nil)
	require.NoError(t, err)
	in, err := hub.NewHubPort(ctx, d, nil)
	require.NoError(t, err)
	out, err := hub.NewHubPort(ctx, d, nil)
	require.NoError(t, err)
	require.NoError(t, d.Connect(ctx, in, out))
	assert.JSONEq(t, `{"source":"`+in.ID()+`","sink":"`+out.ID()+`"}`,
		string(lastParams(t, srv, "invoke", "connect")["operationParams"]))

	m, err := hub.NewMixer(ctx, p, nil)
	require.NoError(t, err)
	before := len(srv.Calls())
	err = m.Connect(ctx, "SMELL", in, out)
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	require.ErrorIs(t, err, types.ErrInvalidEnum)
	err = m.Connect(ctx, types.MediaTypeAudio, nil, out)
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	assert.Len(t, srv.Calls(), before, "nothing sent")
}

func TestHubReleaseClosesPortEvents(t *testing.T) {
	ctx, _, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	comp, err := hub.NewComposite(ctx, p, nil)
	require.NoError(t, err)
	port, err := hub.NewHubPort(ctx, comp, nil)
	require.NoError(t, err)
	evs, err := port.OnMediaFlowInStateChanged(ctx)
	require.NoError(t, err)
	require.NoError(t, p.Release(ctx))
	for ev := range evs { // ends when the release closes the channel
		t.Logf("event before release: %s", ev.Type)
	}
}
