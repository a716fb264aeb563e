package chromatest_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/internal/chromatest/pointerdetector"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
)

// TestPointerDetectorEventsOnFake drives the events a custom module
// declares (WindowIn, WindowOut) through its generated package: typed
// On<Event> channels, and an ordered stream that delivers them typed only
// to a client given the module.
func TestPointerDetectorEventsOnFake(t *testing.T) {
	kmd, err := os.ReadFile("pointerdetector.kmd.json")
	require.NoError(t, err)
	srv := kurentotest.NewServer(t, kurentotest.WithModule(kmd))
	ctx := t.Context()
	c, err := client.Dial(ctx, srv.URL(), client.WithModule(pointerdetector.Module()))
	require.NoError(t, err)
	defer func() { assert.NoError(t, c.Close()) }()
	plain, err := client.Dial(ctx, srv.URL())
	require.NoError(t, err)
	defer func() { assert.NoError(t, plain.Close()) }()

	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	f, err := pointerdetector.NewPointerDetectorFilter(ctx, p, pointerdetector.WindowParam{Width: 50, Height: 50}, nil)
	require.NoError(t, err)
	require.NoError(t, f.AddWindow(ctx, pointerdetector.PointerDetectorWindowMediaParam{Id: "w1", Width: 10, Height: 10}))

	ins, err := f.OnWindowIn(ctx)
	require.NoError(t, err)
	stream, err := f.Events(ctx, "WindowIn", "WindowOut")
	require.NoError(t, err)
	other := pointerdetector.PointerDetectorFilterFromObject(plain.Object("PointerDetectorFilter", f.ID()))
	untyped, err := other.Events(ctx, "WindowOut")
	require.NoError(t, err)

	require.NoError(t, srv.Emit(f.ID(), "WindowIn", map[string]any{"windowId": "w1"}))
	require.NoError(t, srv.Emit(f.ID(), "WindowOut", map[string]any{"windowId": "w1"}))

	in := <-ins
	assert.Equal(t, "w1", in.WindowId)
	assert.Equal(t, f.ID(), in.Source)

	first := <-stream.C()
	require.IsType(t, pointerdetector.WindowIn{}, first)
	second := <-stream.C()
	out, ok := second.(pointerdetector.WindowOut)
	require.True(t, ok, "got %T", second)
	assert.Equal(t, "w1", out.WindowId)
	b, err := out.MarshalJSON()
	require.NoError(t, err)
	assert.Contains(t, string(b), `"windowId":"w1"`)

	raw := <-untyped.C()
	require.IsType(t, event.Raw{}, raw, "a client without the module gets the raw event")
	decoded, err := pointerdetector.DecodeWindowOut(raw.(event.Raw))
	require.NoError(t, err)
	assert.Equal(t, "w1", decoded.WindowId)
	_, err = pointerdetector.DecodeWindowIn(raw.(event.Raw))
	require.Error(t, err, "decoding as another event")

	require.NoError(t, f.Release(ctx))
	require.NoError(t, p.Release(ctx))
}
