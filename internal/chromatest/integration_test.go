//go:build integration

package chromatest_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/internal/chromatest/pointerdetector"
	"github.com/gokurento/kurento/pipeline"
)

// TestChromaOnKMS needs a KMS that loads the chroma module:
//
//	KMS_EXTRA_MODULES=chroma kms.sh start PORT
//	KURENTO_URL_CHROMA=ws://127.0.0.1:PORT/kurento go test -tags integration ./internal/chromatest/
func TestChromaOnKMS(t *testing.T) {
	url := os.Getenv("KURENTO_URL_CHROMA")
	if url == "" {
		t.Skip("KURENTO_URL_CHROMA not set: needs a KMS started with KMS_EXTRA_MODULES=chroma")
	}
	scenario(t, url, func(string) {})
}

// TestPointerDetectorOnKMS runs when the KMS at KURENTO_URL_CHROMA also
// loads pointerdetector (CI's does): the subscriptions of the module's own
// events are accepted by the server, and its methods take its structs.
func TestPointerDetectorOnKMS(t *testing.T) {
	url := os.Getenv("KURENTO_URL_CHROMA")
	if url == "" {
		t.Skip("KURENTO_URL_CHROMA not set: needs a KMS started with KMS_EXTRA_MODULES=chroma,pointerdetector")
	}
	ctx := t.Context()
	c, err := client.Dial(ctx, url, client.WithModule(pointerdetector.Module()))
	require.NoError(t, err)
	defer func() { assert.NoError(t, c.Close()) }()
	type module struct {
		Name string `json:"name"`
	}
	var info struct {
		Modules []module `json:"modules"`
	}
	require.NoError(t, c.Object("ServerManager", "manager_ServerManager").Invoke(ctx, "getInfo", nil, &info))
	if !slices.ContainsFunc(info.Modules, func(m module) bool { return m.Name == "pointerdetector" }) {
		t.Skip("the KMS at KURENTO_URL_CHROMA does not load pointerdetector")
	}

	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	defer func() { assert.NoError(t, p.Release(context.WithoutCancel(ctx))) }()
	f, err := pointerdetector.NewPointerDetectorFilter(ctx, p, pointerdetector.WindowParam{Width: 50, Height: 50}, nil)
	require.NoError(t, err)
	require.NoError(t, f.AddWindow(ctx, pointerdetector.PointerDetectorWindowMediaParam{Id: "w1", Width: 10, Height: 10, UpperRightX: 20, UpperRightY: 20}))
	_, err = f.OnWindowIn(ctx)
	require.NoError(t, err)
	stream, err := f.Events(ctx, "WindowOut", "Error")
	require.NoError(t, err)
	require.NotNil(t, stream)
	require.NoError(t, f.RemoveWindow(ctx, "w1"))
	require.NoError(t, f.ClearWindows(ctx))
	got, err := c.Lookup(ctx, f.ID())
	require.NoError(t, err)
	assert.IsType(t, &pointerdetector.PointerDetectorFilter{}, got)
	require.NoError(t, f.Release(ctx))
}
