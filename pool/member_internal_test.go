package pool

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
)

// TestPipelineCount checks the count kept from the list and the
// ServerManager's events: elements are ignored, a pipeline whose
// ObjectDestroyed is read before its ObjectCreated (they come on separate
// channels) is not counted, a list of an older session is dropped, and a
// new pipeline takes the place of a pending placement.
func TestPipelineCount(t *testing.T) {
	srv := kurentotest.NewServer(t)
	c, err := client.Dial(t.Context(), srv.URL())
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	handle := func(id string) *pipeline.MediaPipeline {
		return pipeline.MediaPipelineFromObject(c.Object("MediaPipeline", id)) // nothing is sent
	}

	p := &Pool{changed: make(chan struct{})}
	m := &member{
		p: p, pipes: map[string]struct{}{}, gen: 2, placed: 2, loaded: true,
		settled: make(chan struct{}),
	}
	w := &watcher{m: m, c: c, ctx: t.Context(), log: slog.New(slog.DiscardHandler)}
	stopped := false
	stop := func() { stopped = true }

	assert.False(t, w.watched(watch{gen: 1, stop: stop, listed: []*pipeline.MediaPipeline{handle("stale_kurento.MediaPipeline")}}))
	assert.True(t, stopped, "a subscription of an older session is ended")
	assert.Empty(t, m.pipes)

	_, cancel := context.WithCancel(t.Context())
	defer cancel()
	require.True(t, w.watched(watch{gen: 2, stop: cancel, listed: []*pipeline.MediaPipeline{handle("kept_kurento.MediaPipeline")}}))
	w.pipelineDestroyed("quick_kurento.MediaPipeline")
	w.pipelineCreated("quick_kurento.MediaPipeline")
	w.pipelineCreated("new_kurento.MediaPipeline")
	w.pipelineCreated("new_kurento.MediaPipeline") // a repeat counts once
	w.pipelineCreated("new_kurento.MediaPipeline/ep_kurento.WebRtcEndpoint")
	w.pipelineDestroyed("kept_kurento.MediaPipeline/x_kurento.PassThrough")

	assert.Equal(t, map[string]struct{}{"new_kurento.MediaPipeline": {}, "kept_kurento.MediaPipeline": {}}, m.pipes)
	assert.True(t, m.listed)
	assert.Equal(t, 1, m.placed, "the new pipeline took a pending placement's place")
	assert.Equal(t, 3, m.candidate().Load.Pipelines)
	<-m.settled

	w.pipelineDestroyed("kept_kurento.MediaPipeline")
	assert.Equal(t, 2, m.candidate().Load.Pipelines)
}
