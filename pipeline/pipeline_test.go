package pipeline_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

func TestNewMediaPipeline(t *testing.T) {
	ctx, srv, c := dial(t)

	t.Run("client", func(t *testing.T) {
		p, err := pipeline.NewMediaPipeline(ctx, c, nil)
		require.NoError(t, err)
		assert.True(t, strings.HasSuffix(p.ID(), "_kurento.MediaPipeline"), p.ID())
		params := lastParams(t, srv, "create", "")
		assert.JSONEq(t, `"MediaPipeline"`, string(params["type"]))
		assert.JSONEq(t, `{}`, string(params["constructorParams"]))
	})
	t.Run("transaction", func(t *testing.T) {
		tx := c.Begin()
		p, err := pipeline.NewMediaPipeline(ctx, tx, nil)
		require.NoError(t, err)
		assert.Equal(t, "newref:0", p.ID())
		require.NoError(t, p.SetLatencyStats(ctx, true)) // queued
		require.NoError(t, tx.Commit(ctx))
		assert.True(t, strings.HasSuffix(p.ID(), "_kurento.MediaPipeline"), p.ID())
		on, err := p.GetLatencyStats(ctx)
		require.NoError(t, err)
		assert.True(t, on)
	})
	t.Run("nil creator", func(t *testing.T) {
		var nilClient *client.Client
		for _, cr := range []client.Creator{nil, nilClient} {
			_, err := pipeline.NewMediaPipeline(ctx, cr, nil)
			require.ErrorIs(t, err, client.ErrInvalidArgument)
		}
	})
}

func TestReleaseTwice(t *testing.T) {
	ctx, _, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	require.NoError(t, p.Release(ctx))
	assert.NoError(t, p.Release(ctx), "second release is a no-op")
}

func TestGstreamerDotDetails(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	_, err = p.GetGstreamerDot(ctx, &pipeline.GetGstreamerDotOptions{Details: types.GstreamerDotDetailsShowAll})
	require.NoError(t, err)
	assert.JSONEq(t, `{"details":"SHOW_ALL"}`, string(lastParams(t, srv, "invoke", "getGstreamerDot")["operationParams"]))

	before := len(srv.Calls())
	err = p.DumpGstreamerDot(ctx, &pipeline.DumpGstreamerDotOptions{Details: "SHOW_NOTHING"})
	require.ErrorIs(t, err, types.ErrInvalidEnum)
	assert.Len(t, srv.Calls(), before)
}

func TestServerManager(t *testing.T) {
	ctx, srv, c := dial(t, kurentotest.WithMetadata(`{"site":"test"}`))
	sm := pipeline.ServerManagerOf(c)
	assert.Equal(t, client.ServerManagerID, sm.ID())

	created, err := sm.OnObjectCreated(ctx)
	require.NoError(t, err)
	destroyed, err := sm.OnObjectDestroyed(ctx)
	require.NoError(t, err)

	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	ev := <-created
	assert.Equal(t, p.ID(), ev.Object)

	info, err := sm.GetInfo(ctx)
	require.NoError(t, err)
	assert.Equal(t, kurentotest.Version, info.Version)
	assert.Equal(t, types.ServerTypeKms, info.Type)

	pls, err := sm.GetPipelines(ctx)
	require.NoError(t, err)
	require.Len(t, pls, 1)
	assert.IsType(t, &pipeline.MediaPipeline{}, pls[0])
	assert.Equal(t, p.ID(), pls[0].ID())

	sessions, err := sm.GetSessions(ctx)
	require.NoError(t, err)
	assert.Contains(t, sessions, c.SessionID())

	md, err := sm.GetMetadata(ctx)
	require.NoError(t, err)
	assert.JSONEq(t, `{"site":"test"}`, md)

	n, err := sm.GetCpuCount(ctx)
	require.NoError(t, err)
	assert.Positive(t, n)

	_, err = sm.GetUsedCpu(ctx, 5)
	require.NoError(t, err)
	assert.JSONEq(t, `{"interval":5}`, string(lastParams(t, srv, "invoke", "getUsedCpu")["operationParams"]))

	mem, err := sm.GetUsedMemory(ctx)
	require.NoError(t, err)
	assert.Positive(t, mem)

	kmd, err := sm.GetKmd(ctx, "core")
	require.NoError(t, err)
	assert.NotEmpty(t, kmd)
	_, err = sm.GetKmd(ctx, "nosuchmodule")
	var se *client.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, client.CodeKmdNotFound, se.Code)

	require.NoError(t, p.Release(ctx))
	gone := <-destroyed
	assert.Equal(t, p.ID(), gone.ObjectId)
}

func TestLookup(t *testing.T) {
	ctx, srv, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	got, err := pipeline.LookupMediaPipeline(ctx, c, p.ID())
	require.NoError(t, err)
	assert.Equal(t, p.ID(), got.ID())

	sm, err := pipeline.LookupServerManager(ctx, c, client.ServerManagerID)
	require.NoError(t, err)
	assert.Equal(t, client.ServerManagerID, sm.ID())
	_, err = pipeline.LookupServerManager(ctx, c, p.ID())
	require.ErrorIs(t, err, client.ErrWrongClass)

	// Client.Lookup types the classes of the modules it was given.
	h, err := c.Lookup(ctx, p.ID())
	require.NoError(t, err)
	assert.IsType(t, &client.Object{}, h, "no module given")
	c2, err := client.Dial(ctx, srv.URL(), client.WithHTTPClient(srv.HTTPClient()), client.WithModule(pipeline.Module()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c2.Close() })
	h, err = c2.Lookup(ctx, p.ID())
	require.NoError(t, err)
	assert.IsType(t, &pipeline.MediaPipeline{}, h)
}
