package element_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/element"
	"github.com/gokurento/kurento/filter"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

func TestConnectRefusesBadArgumentsBeforeTheWire(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	a, err := filter.NewPassThrough(ctx, p, nil)
	require.NoError(t, err)
	b, err := filter.NewPassThrough(ctx, p, nil)
	require.NoError(t, err)

	_, _, other := dial(t)
	foreign := filter.PassThroughFromObject(other.Object("PassThrough", b.ID()))
	var nilElem *filter.PassThrough

	tests := []struct {
		name string
		sink element.Sink
		opts *element.ConnectOptions
		enum bool
	}{
		{name: "invalid media type", sink: b, opts: &element.ConnectOptions{MediaType: "SMELL"}, enum: true},
		{name: "nil sink", sink: nil},
		{name: "typed nil sink", sink: nilElem},
		{name: "handle of another client", sink: foreign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Calls())
			err := a.Connect(ctx, tt.sink, tt.opts)
			require.ErrorIs(t, err, client.ErrInvalidArgument)
			if tt.enum {
				require.ErrorIs(t, err, types.ErrInvalidEnum)
			}
			assert.Len(t, srv.Calls(), before, "nothing sent")
		})
	}
}

func TestConnectionsAreTyped(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	a, err := filter.NewPassThrough(ctx, p, nil)
	require.NoError(t, err)
	b, err := filter.NewPassThrough(ctx, p, nil)
	require.NoError(t, err)

	require.NoError(t, a.Connect(ctx, b, &element.ConnectOptions{MediaType: types.MediaTypeVideo}))
	assert.JSONEq(t, `{"sink":"`+b.ID()+`","mediaType":"VIDEO"}`, string(lastParams(t, srv, "invoke", "connect")["operationParams"]))

	sinks, err := a.GetSinkConnections(ctx, nil)
	require.NoError(t, err)
	require.Len(t, sinks, 1)
	assert.Equal(t, a.ID(), sinks[0].Source.ID())
	assert.Equal(t, b.ID(), sinks[0].Sink.ID())
	assert.Equal(t, types.MediaTypeVideo, sinks[0].Type)
	assert.JSONEq(t, `{}`, string(lastParams(t, srv, "invoke", "getSinkConnections")["operationParams"]),
		"nil options leave every optional parameter out")

	sources, err := b.GetSourceConnections(ctx, &element.GetSourceConnectionsOptions{MediaType: types.MediaTypeAudio})
	require.NoError(t, err)
	assert.Empty(t, sources)
}

func TestMediaObjectAccessors(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	a, err := filter.NewPassThrough(ctx, p, nil)
	require.NoError(t, err)

	mp, err := a.GetMediaPipeline(ctx)
	require.NoError(t, err)
	assert.Equal(t, p.ID(), mp.ID())
	assert.Equal(t, "MediaPipeline", mp.Object().Type())
	assert.Equal(t, p.ID(), pipeline.MediaPipelineFromObject(mp.Object()).ID())

	parent, err := p.GetParent(ctx)
	require.NoError(t, err)
	assert.Nil(t, parent, "a pipeline has no parent")

	children, err := p.GetChildren(ctx)
	require.NoError(t, err)
	require.Len(t, children, 1)
	assert.Equal(t, a.ID(), children[0].ID())

	require.NoError(t, a.SetSendTagsInEvents(ctx, false))
	assert.JSONEq(t, `{"sendTagsInEvents":false}`, string(lastParams(t, srv, "invoke", "setSendTagsInEvents")["operationParams"]), "false is sent")
	require.NoError(t, a.AddTag(ctx, "room", "42"))
	v, err := a.GetTag(ctx, "room")
	require.NoError(t, err)
	assert.Equal(t, "42", v)
	tags, err := a.GetTags(ctx)
	require.NoError(t, err)
	assert.Equal(t, []types.Tag{{Key: "room", Value: "42"}}, tags)

	var nilHandle *element.MediaObject
	assert.Empty(t, nilHandle.ID())
	assert.Nil(t, nilHandle.Object())
}

func TestErrorEvent(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	errs, err := p.OnError(ctx)
	require.NoError(t, err)
	require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"description": "boom", "errorCode": 7, "type": "STREAM_ERROR_FAILED"}))
	e := <-errs
	assert.Equal(t, "boom", e.Description)
	assert.EqualValues(t, 7, e.ErrorCode)
	assert.Equal(t, p.ID(), e.Source)
}
