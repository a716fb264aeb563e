package pipeline_test

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/element"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/hub"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

// shortIDs matches the short ids DOT prints for objects without a name.
var shortIDs = regexp.MustCompile(`(\\n|")[0-9a-f]{8}"`)

// normalize replaces each short id by ID1, ID2, ... in order of first
// appearance.
func normalize(dot string) string {
	seen := map[string]string{}
	return shortIDs.ReplaceAllStringFunc(dot, func(m string) string {
		id := strings.TrimLeft(m, `\n"`)
		if _, ok := seen[id]; !ok {
			seen[id] = fmt.Sprintf(`ID%d"`, len(seen)+1)
		}
		return strings.TrimSuffix(m, id) + seen[id]
	})
}

func TestDOTTopology(t *testing.T) {
	ctx, _, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	presenter, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	require.NoError(t, err)
	require.NoError(t, presenter.SetName(ctx, "presenter"))
	viewer, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	require.NoError(t, err) // no name: drawn with its short id
	room, err := hub.NewComposite(ctx, p, nil)
	require.NoError(t, err)
	require.NoError(t, room.SetName(ctx, "room \"A\""))
	in, err := hub.NewHubPort(ctx, room, nil)
	require.NoError(t, err)
	require.NoError(t, in.SetName(ctx, "in"))
	out, err := hub.NewHubPort(ctx, room, nil)
	require.NoError(t, err)
	require.NoError(t, out.SetName(ctx, "out"))

	require.NoError(t, presenter.Connect(ctx, viewer, &element.ConnectOptions{MediaType: types.MediaTypeVideo}))
	require.NoError(t, presenter.Connect(ctx, in, &element.ConnectOptions{MediaType: types.MediaTypeAudio}))
	require.NoError(t, out.Connect(ctx, presenter, nil))

	dot, err := p.DOT(ctx)
	require.NoError(t, err)
	want := `digraph "ID1" {
	graph [rankdir=LR, labelloc=t, fontname="Helvetica", label="MediaPipeline\nID1"];
	node [shape=box, style=rounded, fontname="Helvetica"];
	edge [fontname="Helvetica", fontsize=10];
	subgraph cluster_n1 {
		graph [label="", style="rounded,dashed"];
		n1 [label="Composite\nroom \"A\"", shape=component];
		n2 [label="HubPort\nin"];
		n3 [label="HubPort\nout"];
	}
	n4 [label="WebRtcEndpoint\nID2"];
	n5 [label="WebRtcEndpoint\npresenter"];
	n3 -> n5 [label="audio", color="darkorange", fontcolor="darkorange"];
	n3 -> n5 [label="video", color="royalblue", fontcolor="royalblue"];
	n3 -> n5 [label="data", color="forestgreen", fontcolor="forestgreen"];
	n5 -> n2 [label="audio", color="darkorange", fontcolor="darkorange"];
	n5 -> n4 [label="video", color="royalblue", fontcolor="royalblue"];
}
`
	assert.Equal(t, want, normalize(dot))

	// The same topology gives the same text, whatever the order of replies.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			again, err := p.DOT(ctx)
			if assert.NoError(t, err) {
				assert.Equal(t, dot, again)
			}
		})
	}
	wg.Wait()

	// Released objects drop out of the picture with their connections.
	require.NoError(t, room.Release(ctx))
	dot, err = p.DOT(ctx)
	require.NoError(t, err)
	assert.NotContains(t, dot, "HubPort")
	assert.NotContains(t, dot, "audio")
	assert.Contains(t, dot, "n2 -> n1 [label=\"video\"")
}

func TestDOTEmptyPipeline(t *testing.T) {
	ctx, _, c := dial(t)
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	require.NoError(t, err)
	require.NoError(t, p.SetName(ctx, "empty"))
	dot, err := p.DOT(ctx)
	require.NoError(t, err)
	assert.Equal(t, `digraph "empty" {
	graph [rankdir=LR, labelloc=t, fontname="Helvetica", label="MediaPipeline\nempty"];
	node [shape=box, style=rounded, fontname="Helvetica"];
	edge [fontname="Helvetica", fontsize=10];
}
`, dot)
}

func TestDOTErrors(t *testing.T) {
	ctx, _, c := dial(t)

	var nilPipeline *pipeline.MediaPipeline
	_, err := nilPipeline.DOT(ctx)
	require.ErrorIs(t, err, client.ErrInvalidArgument)

	tx := c.Begin()
	pending, err := pipeline.NewMediaPipeline(ctx, tx, nil)
	require.NoError(t, err)
	_, err = pending.DOT(ctx)
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	require.NoError(t, tx.Commit(ctx))

	require.NoError(t, pending.Release(ctx))
	_, err = pending.DOT(ctx)
	require.ErrorIs(t, err, client.ErrObjectNotFound)
}
