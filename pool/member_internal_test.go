package pool

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
)

// TestFollowPipelines checks the count kept from the list and the
// ServerManager's events: elements are ignored, a pipeline destroyed while
// the list was on its way is not resurrected by it, and a new pipeline
// takes the place of a pending placement.
func TestFollowPipelines(t *testing.T) {
	srv := kurentotest.NewServer(t)
	c, err := client.Dial(t.Context(), srv.URL())
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	handle := func(id string) *pipeline.MediaPipeline {
		return pipeline.MediaPipelineFromObject(c.Object("MediaPipeline", id)) // nothing is sent
	}

	p := &Pool{changed: make(chan struct{})}
	m := &member{
		p: p, pipes: map[string]struct{}{}, tomb: map[string]struct{}{}, gen: 1, placed: 2, loaded: true,
		settled: make(chan struct{}),
	}
	// Unbuffered: each send returns once followPipelines took it, so the
	// order below is the order it sees.
	created := make(chan event.ObjectCreated)
	destroyed := make(chan event.ObjectDestroyed)
	listed := make(chan []*pipeline.MediaPipeline)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.followPipelines(1, created, destroyed, listed)
	}()
	destroyed <- event.ObjectDestroyed{ObjectId: "old_kurento.MediaPipeline"}
	created <- event.ObjectCreated{Object: "new_kurento.MediaPipeline"}
	created <- event.ObjectCreated{Object: "new_kurento.MediaPipeline/ep_kurento.WebRtcEndpoint"}
	listed <- []*pipeline.MediaPipeline{handle("old_kurento.MediaPipeline"), handle("kept_kurento.MediaPipeline")}
	destroyed <- event.ObjectDestroyed{ObjectId: "kept_kurento.MediaPipeline/x_kurento.PassThrough"}
	close(created)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("followPipelines did not return when its events ended")
	}

	assert.Equal(t, map[string]struct{}{"new_kurento.MediaPipeline": {}, "kept_kurento.MediaPipeline": {}}, m.pipes)
	assert.True(t, m.listed)
	assert.Equal(t, 1, m.placed, "the new pipeline took a pending placement's place")
	assert.Equal(t, 3, m.candidate().Load.Pipelines)
	<-m.settled
}
