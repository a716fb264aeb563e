//go:build integration

package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/cmd/kurento/internal/demo"
	"github.com/gokurento/kurento/endpoint"
)

// TestRealKMS runs every verb against the KMS at KURENTO_URL. The server is
// shared with other packages' tests, so the test tags its own pipelines
// with a value of its own and gc is narrowed to that tag.
func TestRealKMS(t *testing.T) {
	url := os.Getenv("KURENTO_URL")
	if url == "" {
		t.Skip("KURENTO_URL is not set: no real KMS to run against")
	}
	ctx := testCtx(t)
	owner, err := client.Dial(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = owner.Close() })
	d, err := demo.Build(ctx, owner)
	require.NoError(t, err)
	run := owner.SessionID()
	require.NoError(t, d.Unnamed.AddTag(ctx, "run", run))
	require.NoError(t, d.RoomA.AddTag(ctx, "run", run))
	require.NoError(t, d.RoomB.AddTag(ctx, "run", run))
	c := cli{url: url, now: time.Now().Add(time.Hour)}

	r := c.run(ctx, "info", "--json", "--cpu-interval", "50ms")
	require.Equal(t, exitOK, r.code, r.stderr)
	var info infoOut
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &info))
	assert.NotEmpty(t, info.Version)
	assert.Positive(t, info.CPUCount)
	assert.GreaterOrEqual(t, info.Pipelines, 3)
	assert.Contains(t, info.Sessions, owner.SessionID())

	r = c.run(ctx, "ls")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, d.RoomA.ID())
	assert.Contains(t, r.stdout, "room-a")

	r = c.run(ctx, "tree", d.RoomA.ID(), "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var tree []*object
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &tree))
	require.Len(t, tree, 1)
	require.Len(t, tree[0].Children, 2)
	assert.Equal(t, "alice", tree[0].Children[0].Name)
	assert.NotEmpty(t, tree[0].Children[0].Sinks, "alice sends to bob")

	// describe reads every property but those known to crash KMS.
	for _, id := range []string{d.RoomB.ID(), d.Alice.ID(), d.Player.ID(), d.Viewer.ID()} {
		r = c.run(ctx, "describe", id, "--json")
		require.Equal(t, exitOK, r.code, r.stderr)
		var out describeOut
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
		assert.Empty(t, out.Errors, "%s: every property reads", id)
	}

	r = c.run(ctx, "dot", d.RoomB.ID())
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `digraph "room-b"`)

	r = c.run(ctx, "stats", d.Alice.ID())
	require.Equal(t, exitOK, r.code, r.stderr)
	t.Logf("stats of an endpoint without media:\n%s", r.stdout)

	r = c.run(ctx, "dot", d.RoomA.ID()+"/00000000-0000-0000-0000-000000000000_kurento.WebRtcEndpoint")
	assert.Equal(t, exitNotFound, r.code, r.stderr)

	// events: ElementConnected on alice, raised by a new connection.
	done := make(chan result, 1)
	go func() { done <- c.run(ctx, "events", d.Alice.ID(), "ElementConnected", "--count", "1") }()
	extra, err := endpoint.NewWebRtcEndpoint(ctx, d.RoomA, nil)
	require.NoError(t, err)
	// The tool may not have subscribed yet: connect until it reports.
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var ev result
wait:
	for {
		require.NoError(t, d.Alice.Connect(ctx, extra, nil))
		select {
		case ev = <-done:
			break wait
		case <-tick.C:
			require.NoError(t, d.Alice.Disconnect(ctx, extra, nil))
		case <-ctx.Done():
			t.Fatal("no event printed")
		}
	}
	require.Equal(t, exitOK, ev.code, ev.stderr)
	assert.Contains(t, ev.stdout, "ElementConnected")

	// gc, narrowed to this test's pipelines.
	r = c.run(ctx, "gc", "--older-than", "1m", "--tag", "run="+run, "--dry-run")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 3, strings.Count(r.stdout, "release "), r.stdout)
	r = c.run(ctx, "gc", "--older-than", "1m", "--tag", "run="+run, "--yes", "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var plan []gcEntry
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &plan))
	require.Len(t, plan, 3)
	for _, e := range plan {
		assert.True(t, e.Released, "%s: %s", e.ID, e.Error)
	}
	r = c.run(ctx, "tree", d.RoomA.ID())
	assert.Equal(t, exitNotFound, r.code, "released: %s", r.stderr)
}
