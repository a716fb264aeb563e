package filter_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/filter"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

func TestGStreamerFilter(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)

	f, err := filter.NewGStreamerFilter(ctx, p, "videoflip method=horizontal-flip", &filter.GStreamerFilterOptions{FilterType: types.FilterTypeVideo})
	require.NoError(t, err)
	assert.JSONEq(t, `{"mediaPipeline":"`+p.ID()+`","command":"videoflip method=horizontal-flip","filterType":"VIDEO"}`,
		string(lastParams(t, srv, "create", "")["constructorParams"]))
	cmd, err := f.GetCommand(ctx)
	require.NoError(t, err)
	assert.Equal(t, "videoflip method=horizontal-flip", cmd)

	before := len(srv.Calls())
	_, err = filter.NewGStreamerFilter(ctx, p, "x", &filter.GStreamerFilterOptions{FilterType: "SMELL"})
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	require.ErrorIs(t, err, types.ErrInvalidEnum)
	assert.Len(t, srv.Calls(), before)

	got, err := filter.LookupGStreamerFilter(ctx, c, f.ID())
	require.NoError(t, err)
	assert.Equal(t, f.ID(), got.ID())
}

func TestZBarCodeFound(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	z, err := filter.NewZBarFilter(ctx, p, nil)
	require.NoError(t, err)
	pt, err := filter.NewPassThrough(ctx, p, nil)
	require.NoError(t, err)
	require.NoError(t, pt.Connect(ctx, z, nil))

	codes, err := z.OnCodeFound(ctx)
	require.NoError(t, err)
	require.NoError(t, srv.Emit(z.ID(), "CodeFound", map[string]any{"codeType": "QR-Code", "value": "hello"}))
	ev := <-codes
	assert.Equal(t, "QR-Code", ev.CodeType)
	assert.Equal(t, "hello", ev.Value)
	assert.Equal(t, z.ID(), ev.Source)
}

func TestImageOverlay(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	f, err := filter.NewImageOverlayFilter(ctx, p, nil)
	require.NoError(t, err)
	require.NoError(t, f.AddImage(ctx, "logo", "http://example.com/logo.png", 0, 0.5, 0.25, 0.25, false, true))
	assert.JSONEq(t,
		`{"id":"logo","uri":"http://example.com/logo.png","offsetXPercent":0,"offsetYPercent":0.5,"widthPercent":0.25,"heightPercent":0.25,"keepAspectRatio":false,"center":true}`,
		string(lastParams(t, srv, "invoke", "addImage")["operationParams"]))
	require.NoError(t, f.RemoveImage(ctx, "logo"))
}
