package kurentotest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
)

// TestWithModule: the fake learns a custom module from its kmd.json (here
// a made-up one covering enums, structs, returned values and handles).
func TestWithModule(t *testing.T) {
	kmd, err := os.ReadFile(filepath.Join("..", "internal", "kmdgen", "testdata", "module", "demo.kmd.json"))
	require.NoError(t, err)
	srv := kurentotest.NewServer(t, kurentotest.WithModule(kmd))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c, err := client.Dial(ctx, srv.URL())
	require.NoError(t, err)
	defer func() { _ = c.Close() }()

	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	region := map[string]any{"x": 1, "media": "VIDEO"}

	// Constructor parameters are checked like the built-in ones.
	_, err = p.CreateObject(ctx, "DemoFilter", map[string]any{"mediaPipeline": p})
	var kerr *client.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, client.CodeMarshal, kerr.Code)
	assert.Contains(t, kerr.Message, "'region' parameter should be a object")
	_, err = p.CreateObject(ctx, "DemoFilter", map[string]any{"mediaPipeline": p, "region": region, "mode": "NOPE"})
	require.ErrorAs(t, err, &kerr, "an unknown enum value")

	f, err := p.CreateObject(ctx, "demo.DemoFilter", map[string]any{"mediaPipeline": p, "region": region, "mode": "SLOW_MOTION"})
	require.NoError(t, err)
	assert.Contains(t, f.ID(), "_demo.DemoFilter")
	d, err := c.Describe(ctx, f.ID())
	require.NoError(t, err)
	assert.Equal(t, "demo.DemoFilter", d.QualifiedType)

	// Methods answer with typed zero values; inherited ones work.
	var regions []json.RawMessage
	require.NoError(t, f.Invoke(ctx, "getRegions", nil, &regions))
	assert.Empty(t, regions)
	var score float64
	require.NoError(t, f.Invoke(ctx, "score", map[string]any{"weights": []float32{1, 2}}, &score))
	assert.Zero(t, score)
	var peer *string
	require.NoError(t, f.Invoke(ctx, "findPeer", nil, &peer))
	assert.Nil(t, peer)
	require.NoError(t, f.Invoke(ctx, "setThreshold", map[string]any{"threshold": 7}, nil))
	var threshold int
	require.NoError(t, f.Invoke(ctx, "getThreshold", nil, &threshold))
	assert.Equal(t, 7, threshold, "properties keep what was set")
	err = f.Invoke(ctx, "score", map[string]any{"weights": "x"}, nil)
	require.ErrorAs(t, err, &kerr, "method parameters are checked")
	err = f.Invoke(ctx, "noSuchMethod", nil, nil)
	require.Error(t, err)
	var mp string
	require.NoError(t, f.Invoke(ctx, "getMediaPipeline", nil, &mp))
	assert.Equal(t, p.ID(), mp)

	// getInfo lists the module and its factories.
	sm := c.Object("ServerManager", "manager_ServerManager")
	var info struct {
		Modules []struct {
			Name      string   `json:"name"`
			Factories []string `json:"factories"`
		} `json:"modules"`
	}
	require.NoError(t, sm.Invoke(ctx, "getInfo", nil, &info))
	found := false
	for _, m := range info.Modules {
		if m.Name == "demo" {
			found = true
			assert.Equal(t, []string{"DemoFilter", "DemoSink"}, m.Factories)
		}
	}
	assert.True(t, found, "getInfo lists the demo module: %+v", info.Modules)
}

func TestWithModuleRefusesBadKMD(t *testing.T) {
	_, err := kurentotest.Start(kurentotest.WithModule([]byte(`{"name": "core"}`)))
	require.ErrorContains(t, err, "WithModule")
	_, err = kurentotest.Start(kurentotest.WithModule([]byte(`nope`)))
	require.Error(t, err)
}
