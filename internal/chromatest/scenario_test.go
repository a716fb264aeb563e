package chromatest_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/internal/chromatest/chroma"
	"github.com/gokurento/kurento/pipeline"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// missingBackground is a path no server has: KMS reads it with OpenCV,
// fails, and reports the failure as an Error event of the filter.
const missingBackground = "/nonexistent/gokurento-chroma-background.png"

// scenario runs the same calls against a real KMS with the chroma module
// and against the fake taught the module: create a ChromaFilter in a
// pipeline, look it up, call its own and inherited methods, receive an
// event, release it. provoke makes the server raise the Error event that
// setBackground with a missing image raises on KMS (the fake is told to
// emit it; KMS does it by itself).
func scenario(t *testing.T, url string, provoke func(filterID string)) {
	t.Helper()
	ctx := t.Context()
	c, err := client.Dial(ctx, url, client.WithModule(chroma.Module()))
	require.NoError(t, err)
	defer func() { assert.NoError(t, c.Close()) }()

	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	defer func() { assert.NoError(t, p.Release(context.WithoutCancel(ctx))) }()

	_, err = chroma.NewChromaFilter(ctx, nil, chroma.WindowParam{Width: 10, Height: 10}, nil)
	require.ErrorIs(t, err, client.ErrInvalidArgument, "a nil pipeline is refused before the wire")

	f, err := chroma.NewChromaFilter(ctx, p, chroma.WindowParam{TopRightCornerX: 0, TopRightCornerY: 0, Width: 100, Height: 100}, nil)
	require.NoError(t, err)
	assert.Contains(t, f.ID(), p.ID()+"/", "a filter's id starts with its pipeline's")

	d, err := c.Describe(ctx, f.ID())
	require.NoError(t, err)
	assert.Equal(t, "ChromaFilter", d.Type)
	assert.Equal(t, "chroma.ChromaFilter", d.QualifiedType)
	assert.Equal(t, []string{"kurento.Filter", "kurento.MediaElement", "kurento.MediaObject"}, d.Hierarchy)

	got, err := c.Lookup(ctx, f.ID())
	require.NoError(t, err)
	typed, ok := got.(*chroma.ChromaFilter)
	require.True(t, ok, "Lookup with the module registered gives %T", got)
	assert.Equal(t, f.ID(), typed.ID())

	// A listing gives MediaObject handles; HandleOf types them from their
	// ids, the custom class included, without a round trip.
	children, err := p.GetChildren(ctx)
	require.NoError(t, err)
	require.Len(t, children, 1)
	child, ok := c.HandleOf(children[0].ID()).(*chroma.ChromaFilter)
	require.True(t, ok, "HandleOf(%s) gives %T", children[0].ID(), c.HandleOf(children[0].ID()))
	assert.Equal(t, f.ID(), child.ID())

	// Inherited: a method of MediaObject through the Filter handle.
	mp, err := f.GetMediaPipeline(ctx)
	require.NoError(t, err)
	assert.Equal(t, p.ID(), mp.ID())

	errs, err := f.OnError(ctx)
	require.NoError(t, err)
	require.NoError(t, f.SetBackground(ctx, missingBackground))
	provoke(f.ID())
	select {
	case ev, ok := <-errs:
		require.True(t, ok, "Error channel closed")
		assert.Equal(t, f.ID(), ev.Source)
		assert.Equal(t, int32(3), ev.ErrorCode)
		assert.Equal(t, "UNEXPECTED_ELEMENT_ERROR", ev.Type)
	case <-ctx.Done():
		t.Fatal("no Error event for a background that cannot be loaded")
	}
	require.NoError(t, f.UnsetBackground(ctx))

	var nilFilter *chroma.ChromaFilter
	require.ErrorIs(t, nilFilter.UnsetBackground(ctx), client.ErrInvalidArgument)

	require.NoError(t, f.Release(ctx))
	_, err = c.Describe(ctx, f.ID())
	var kerr *client.Error
	require.ErrorAs(t, err, &kerr, "describe after release")
	assert.Equal(t, client.CodeObjectNotFound, kerr.Code)
}

func readKMD(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("chroma.kmd.json")
	require.NoError(t, err)
	return b
}
