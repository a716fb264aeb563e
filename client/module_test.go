package client_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/kurentotest"
)

func decodeRaw(r event.Raw) (event.Event, error) { return r, nil }

type tagged struct {
	tag string
	o   *client.Object
}

func factoryTagged(tag string) client.Factory {
	return func(o *client.Object) any { return tagged{tag, o} }
}

// TestWithModule: the classes a client is given come back typed from its
// Lookup only; subclasses fall back to the nearest registered ancestor.
func TestWithModule(t *testing.T) {
	t.Parallel()
	kmd, err := os.ReadFile(filepath.Join("..", "internal", "chromatest", "chroma.kmd.json"))
	require.NoError(t, err)
	srv := kurentotest.NewServer(t, kurentotest.WithModule(kmd))
	ctx := testCtx(t)
	plain := dial(t, srv)
	p, err := plain.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	f, err := p.CreateObject(ctx, "ChromaFilter", map[string]any{
		"mediaPipeline": p,
		"window":        map[string]int{"topRightCornerX": 0, "topRightCornerY": 0, "width": 10, "height": 10},
	})
	require.NoError(t, err)

	withChroma := dial(t, srv, client.WithModule(client.Module{
		Names: []string{"chroma"},
		Types: map[string]client.Factory{"ChromaFilter": factoryTagged("chroma")},
	}))
	got, err := withChroma.Lookup(ctx, f.ID())
	require.NoError(t, err)
	require.IsType(t, tagged{}, got)
	assert.Equal(t, "chroma", got.(tagged).tag)
	assert.Equal(t, f.ID(), got.(tagged).o.ID())
	got, err = withChroma.Lookup(ctx, p.ID())
	require.NoError(t, err)
	assert.IsType(t, &client.Object{}, got, "a class the module does not name")

	// HandleOf reads the class from the id, without a round trip.
	h := withChroma.HandleOf(f.ID())
	require.IsType(t, tagged{}, h)
	assert.Equal(t, f.ID(), h.(tagged).o.ID())
	assert.Equal(t, "ChromaFilter", h.(tagged).o.Type())
	po, ok := withChroma.HandleOf(p.ID()).(*client.Object)
	require.True(t, ok)
	assert.Equal(t, "MediaPipeline", po.Type())
	odd, ok := withChroma.HandleOf("no-class-here").(*client.Object)
	require.True(t, ok)
	assert.Empty(t, odd.Type())

	got, err = plain.Lookup(ctx, f.ID())
	require.NoError(t, err)
	assert.IsType(t, &client.Object{}, got, "registration is per client")

	withBase := dial(t, srv, client.WithModule(client.Module{
		Names: []string{"mine"},
		Types: map[string]client.Factory{"MediaElement": factoryTagged("element")},
	}))
	got, err = withBase.Lookup(ctx, f.ID())
	require.NoError(t, err)
	require.IsType(t, tagged{}, got)
	assert.Equal(t, "element", got.(tagged).tag, "the nearest registered ancestor")
}

func TestWithModuleRefuses(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	ctx := testCtx(t)
	for name, opts := range map[string][]client.Option{
		"no classes": {client.WithModule(client.Module{Names: []string{"x"}})},
		"nil factory": {client.WithModule(client.Module{
			Names: []string{"x"},
			Types: map[string]client.Factory{"A": nil},
		})},
		"a built-in event": {client.WithModule(client.Module{
			Names:  []string{"x"},
			Events: map[string]func(event.Raw) (event.Event, error){"Error": decodeRaw},
		})},
		"nil decoder": {client.WithModule(client.Module{
			Names:  []string{"x"},
			Events: map[string]func(event.Raw) (event.Event, error){"Hit": nil},
		})},
		"event twice": {
			client.WithModule(client.Module{Names: []string{"x"}, Events: map[string]func(event.Raw) (event.Event, error){"Hit": decodeRaw}}),
			client.WithModule(client.Module{Names: []string{"y"}, Events: map[string]func(event.Raw) (event.Event, error){"Hit": decodeRaw}}),
		},
		"twice": {
			client.WithModule(client.Module{Names: []string{"x"}, Types: map[string]client.Factory{"A": factoryTagged("1")}}),
			client.WithModule(client.Module{Names: []string{"y"}, Types: map[string]client.Factory{"A": factoryTagged("2")}}),
		},
	} {
		_, err := client.Dial(ctx, srv.URL(), opts...)
		require.Error(t, err, name)
	}
}
