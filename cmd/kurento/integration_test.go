//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/cmd/kurento/internal/demo"
	"github.com/gokurento/kurento/endpoint"
)

// buildDemo builds the demo pipelines on url and tags each with the
// owner's session id under "run", so the test finds its own pipelines on a
// server others use.
func buildDemo(ctx context.Context, t *testing.T, url string) (*demo.Pipelines, *client.Client, string) {
	t.Helper()
	owner, err := client.Dial(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = owner.Close() }) //nolint:contextcheck // Close bounds its own wait
	d, err := demo.Build(ctx, owner)
	require.NoError(t, err)
	run := owner.SessionID()
	require.NoError(t, d.Unnamed.AddTag(ctx, "run", run))
	require.NoError(t, d.RoomA.AddTag(ctx, "run", run))
	require.NoError(t, d.RoomB.AddTag(ctx, "run", run))
	return d, owner, run
}

// TestRealKMSObjectVerbs runs the verbs that look at named objects against
// the shared KMS at KURENTO_URL. None of them lists pipelines (see
// TestRealKMSListingVerbs for why that matters).
func TestRealKMSObjectVerbs(t *testing.T) {
	url := os.Getenv("KURENTO_URL")
	if url == "" {
		t.Skip("KURENTO_URL is not set: no real KMS to run against")
	}
	ctx := testCtx(t)
	d, _, _ := buildDemo(ctx, t, url)
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, p := range []interface{ Release(context.Context) error }{d.Unnamed, d.RoomA, d.RoomB} {
			_ = p.Release(cctx)
		}
	})
	c := cli{url: url, now: time.Now()}

	r := c.run(ctx, "tree", d.RoomA.ID(), "--json")
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

	// KMS answers getStats of an endpoint without media with a null value.
	r = c.run(ctx, "stats", d.Alice.ID())
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "reports no statistics")

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
}

// TestRealKMSListingVerbs runs info, ls, tree and gc, which call
// getPipelines, on a KMS of its own. getPipelines makes KMS register every
// pipeline on the server with the empty-id session, which keeps it alive
// for minutes after its owner closed its session: on the shared server
// that would break other packages' tests that expect closeSession to free
// their objects. The server comes from kms.sh (path in KURENTO_KMS_SH) on
// port KURENTO_CLI_KMS_PORT (default 18869).
func TestRealKMSListingVerbs(t *testing.T) {
	sh := os.Getenv("KURENTO_KMS_SH")
	if sh == "" {
		t.Skip("KURENTO_KMS_SH is not set: the listing verbs need a KMS of their own")
	}
	port := os.Getenv("KURENTO_CLI_KMS_PORT")
	if port == "" {
		port = "18869"
	}
	ctx := testCtx(t)
	var stdout, stderr bytes.Buffer
	start := exec.CommandContext(ctx, "bash", sh, "start", port)
	start.Stdout, start.Stderr = &stdout, &stderr
	require.NoError(t, start.Run(), "kms.sh start %s: %s", port, stderr.String())
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = exec.CommandContext(cctx, "bash", sh, "stop", port).Run()
	})
	lines := strings.Fields(stdout.String())
	require.NotEmpty(t, lines, "kms.sh printed no URL")
	url := lines[len(lines)-1]

	d, owner, run := buildDemo(ctx, t, url)
	c := cli{url: url, now: time.Now().Add(time.Hour)}

	r := c.run(ctx, "info", "--json", "--cpu-interval", "50ms")
	require.Equal(t, exitOK, r.code, r.stderr)
	var info infoOut
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &info))
	assert.NotEmpty(t, info.Version)
	assert.Positive(t, info.CPUCount)
	assert.Equal(t, 3, info.Pipelines)
	assert.Contains(t, info.Sessions, owner.SessionID())
	assert.Contains(t, info.Sessions, "", "getPipelines registered the empty-id session")

	r = c.run(ctx, "ls")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, d.RoomA.ID())
	assert.Contains(t, r.stdout, "room-a")

	r = c.run(ctx, "tree", "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var tree []*object
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &tree))
	require.Len(t, tree, 3)

	// room-a names its live owner: kept.
	require.NoError(t, d.RoomA.AddTag(ctx, "owner", owner.SessionID()))
	r = c.run(ctx, "gc", "--older-than", "1m", "--tag", "run="+run, "--owner-tag", "owner", "--dry-run")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 2, strings.Count(r.stdout, "release "), r.stdout)
	assert.Contains(t, r.stdout, "owner session "+owner.SessionID()+" is live")
	r = c.run(ctx, "gc", "--older-than", "1m", "--tag", "run="+run, "--owner-tag", "owner", "--yes", "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var plan []gcEntry
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &plan))
	require.Len(t, plan, 3)
	released := 0
	for _, e := range plan {
		if e.Released {
			released++
		}
		assert.Empty(t, e.Error)
	}
	assert.Equal(t, 2, released)
	r = c.run(ctx, "tree", d.RoomB.ID())
	assert.Equal(t, exitNotFound, r.code, "released: %s", r.stderr)
	r = c.run(ctx, "tree", d.RoomA.ID())
	assert.Equal(t, exitOK, r.code, "kept: %s", r.stderr)
}
