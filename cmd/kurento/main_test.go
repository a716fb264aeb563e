package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/cmd/kurento/internal/demo"
	"github.com/gokurento/kurento/kurentotest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// syncBuffer is a buffer the CLI may write to while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs the tool in-process against url.
type cli struct {
	url   string
	now   time.Time
	stdin string
}

type result struct {
	stdout, stderr string
	code           int
}

func (c cli) run(ctx context.Context, args ...string) result {
	var out, errOut syncBuffer
	code := run(ctx, args, env{
		stdin: strings.NewReader(c.stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string {
			if k == "KURENTO_URL" {
				return c.url
			}
			return ""
		},
		now: func() time.Time { return c.now },
	})
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

var (
	uuidRE    = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timeRE    = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	clockRE   = regexp.MustCompile(`\b\d\d:\d\d:\d\d\.\d\d\d\b`)
	portRE    = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	numLineRE = regexp.MustCompile(`(?m)^(cpus|cpu used|memory used)( +).*$`)
	numJSONRE = regexp.MustCompile(`"(cpuCount|cpuUsedPercent|memoryUsedKiB)": [0-9.]+`)
	millisRE  = regexp.MustCompile(`"timestampMillis":"\d+"`)
)

// mask replaces what changes from run to run by placeholders of the same
// width, so the tables' alignment is still checked: each distinct uuid by
// a numbered one (in order of appearance), times by a fixed time, the
// server's port, and the process figures of info.
func mask(s string) string {
	seen := map[string]string{}
	s = uuidRE.ReplaceAllStringFunc(s, func(u string) string {
		if m, ok := seen[u]; ok {
			return m
		}
		n := strconv.Itoa(len(seen) + 1)
		m := "00000000-0000-0000-0000-" + strings.Repeat("0", 12-len(n)) + n
		seen[u] = m
		return m
	})
	s = timeRE.ReplaceAllStringFunc(s, func(t string) string {
		if len(t) > 20 { // with a fraction: keep its width
			return "2001-02-03T04:05:06." + strings.Repeat("0", len(t)-21) + "Z"
		}
		return "2001-02-03T04:05:06Z"
	})
	s = clockRE.ReplaceAllString(s, "04:05:06.789")
	s = portRE.ReplaceAllString(s, "127.0.0.1:PORT")
	s = numLineRE.ReplaceAllString(s, "${1}${2}N")
	s = millisRE.ReplaceAllString(s, `"timestampMillis":"1000000000000"`)
	return numJSONRE.ReplaceAllString(s, `"${1}": N`)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	got = mask(got)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./cmd/kurento -update to create it")
	assert.Equal(t, string(want), got, "output differs from %s (-update rewrites it)", path)
}

// setup starts a fake with the demo pipelines and returns the CLI aimed at
// it, with a clock two days after the pipelines were made.
func setup(t *testing.T) (*kurentotest.Server, cli, *demo.Pipelines, *client.Client) {
	t.Helper()
	srv := kurentotest.NewServer(t)
	ctx := testCtx(t)
	c, err := client.Dial(ctx, srv.URL())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	d, err := demo.Build(ctx, c)
	require.NoError(t, err)
	return srv, cli{url: srv.URL(), now: time.Now().Add(48 * time.Hour)}, d, c
}

func TestUsage(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	c := cli{} // no KURENTO_URL: the help shows the built-in default
	tests := []struct {
		name   string
		args   []string
		code   int
		golden string // of stdout, when set
		stderr string // substring of stderr
	}{
		{name: "help", args: []string{"--help"}, golden: "help"},
		{name: "help verb", args: []string{"help", "gc"}, golden: "help-gc"},
		{name: "verb help", args: []string{"events", "--help"}, golden: "help-events"},
		{name: "no verb", args: nil, code: exitUsage, stderr: "Usage: kurento"},
		{name: "unknown verb", args: []string{"frobnicate"}, code: exitUsage, stderr: `unknown verb "frobnicate"`},
		{name: "unknown flag", args: []string{"ls", "--frob"}, code: exitUsage, stderr: "flag provided but not defined: -frob"},
		{name: "missing argument", args: []string{"dot"}, code: exitUsage, stderr: "missing argument: PIPELINE"},
		{name: "extra argument", args: []string{"ls", "x"}, code: exitUsage, stderr: `unexpected arguments ["x"]`},
		{name: "gc without age", args: []string{"gc"}, code: exitUsage, stderr: "--older-than is required"},
		{name: "gc bad tag", args: []string{"gc", "--older-than", "1h", "--tag", "x"}, code: exitUsage, stderr: "--tag must be KEY=VALUE"},
		{name: "bad shell", args: []string{"completion", "fish"}, code: exitUsage, stderr: `unknown shell "fish"`},
		{name: "bad duration", args: []string{"gc", "--older-than", "-1h"}, code: exitUsage, stderr: "negative duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := c.run(ctx, tt.args...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			if tt.golden != "" {
				golden(t, tt.golden, r.stdout)
			}
			assert.Contains(t, r.stderr, tt.stderr)
		})
	}
}

func TestConnectFailureExitsWith3(t *testing.T) {
	t.Parallel()
	srv, err := kurentotest.Start()
	require.NoError(t, err)
	url := srv.URL()
	require.NoError(t, srv.Close())
	r := cli{url: url}.run(testCtx(t), "--timeout", "2s", "info")
	assert.Equal(t, exitConnect, r.code)
	assert.Contains(t, r.stderr, "kurento: connecting:")
}

func TestTables(t *testing.T) {
	t.Parallel()
	_, c, d, _ := setup(t)
	ctx := testCtx(t)
	tests := []struct {
		name string
		args []string
	}{
		{name: "ls", args: []string{"ls"}},
		{name: "ls-json", args: []string{"ls", "--json"}},
		{name: "ls-tag", args: []string{"ls", "--tag", "room=a"}},
		{name: "tree", args: []string{"tree"}},
		{name: "tree-json", args: []string{"--json", "tree"}},
		{name: "tree-room-a", args: []string{"tree", d.RoomA.ID()}},
		{name: "describe-alice", args: []string{"describe", d.Alice.ID()}},
		{name: "describe-room-b-json", args: []string{"describe", d.RoomB.ID(), "--json"}},
		{name: "dot-room-b", args: []string{"dot", d.RoomB.ID()}},
		{name: "dot-json", args: []string{"dot", d.RoomA.ID(), "--json"}},
		{name: "info", args: []string{"info", "--cpu-interval", "10ms"}},
		{name: "info-json", args: []string{"info", "--cpu-interval", "10ms", "--json"}},
		{name: "stats-empty", args: []string{"stats", d.Alice.ID()}},
		{name: "gc-dry-run", args: []string{"gc", "--older-than", "24h", "--dry-run"}},
		{name: "gc-dry-run-json", args: []string{"gc", "--older-than", "24h", "--dry-run", "--json"}},
		{name: "gc-young", args: []string{"gc", "--older-than", "72h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.run(ctx, tt.args...)
			require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
			golden(t, tt.name, r.stdout)
		})
	}
}

func TestNotFoundExitsWith4(t *testing.T) {
	t.Parallel()
	_, c, d, _ := setup(t)
	ctx := testCtx(t)
	missing := d.RoomA.ID() + "/00000000-0000-0000-0000-000000000000_kurento.WebRtcEndpoint"
	for _, args := range [][]string{
		{"dot", "nope_kurento.MediaPipeline"},
		{"tree", "nope_kurento.MediaPipeline"},
		{"events", missing},
		{"stats", missing},
		{"describe", missing},
	} {
		r := c.run(ctx, args...)
		assert.Equal(t, exitNotFound, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stderr, "no object")
	}
	r := c.run(ctx, "dot", d.Alice.ID())
	assert.Equal(t, exitUsage, r.code, "dot of an element")
	assert.NotContains(t, r.stderr, "kurento: kurento:")
	r = c.run(ctx, "stats", d.RoomA.ID())
	assert.Equal(t, exitUsage, r.code, "stats of a pipeline")
	r = c.run(ctx, "events", d.RoomA.ID(), "IceCandidateFound")
	assert.Equal(t, exitUsage, r.code, "an event the class does not raise")
	assert.Contains(t, r.stderr, "MediaPipeline raises no IceCandidateFound event")
}

func TestEventsTail(t *testing.T) {
	t.Parallel()
	for _, asJSON := range []bool{false, true} {
		name := "events"
		if asJSON {
			name = "events-json"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, c, d, _ := setup(t)
			ctx := testCtx(t)
			args := []string{"events", d.Alice.ID(), "Error", "--count", "2"}
			if asJSON {
				args = append(args, "--json")
			}
			done := make(chan result, 1)
			go func() { done <- c.run(ctx, args...) }()
			_, err := srv.WaitCall(ctx, func(call kurentotest.Call) bool {
				return call.Method == "subscribe" && call.Object == d.Alice.ID()
			})
			require.NoError(t, err)
			// The subscription is acknowledged before its reply leaves the
			// fake, and the fake sends in order: the events follow it.
			require.NoError(t, srv.Emit(d.Alice.ID(), "Error", map[string]any{
				"description": "first", "errorCode": 1, "type": "MEDIA_ERROR",
			}))
			require.NoError(t, srv.Emit(d.Alice.ID(), "Error", map[string]any{
				"description": "second", "errorCode": 2, "type": "MEDIA_ERROR",
			}))
			r := <-done
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stderr, "listening for Error on "+d.Alice.ID())
			golden(t, name, r.stdout)
		})
	}
}

func TestEventsEndsOnInterrupt(t *testing.T) {
	t.Parallel()
	srv, c, d, _ := setup(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan result, 1)
	go func() { done <- c.run(ctx, "events", d.Bob.ID()) }()
	_, err := srv.WaitCall(testCtx(t), func(call kurentotest.Call) bool {
		return call.Method == "subscribe" && call.Object == d.Bob.ID() && strings.Contains(string(call.Params), "NewCandidatePairSelected")
	})
	require.NoError(t, err, "every event type of the class is subscribed, the last in name order included")
	cancel()
	r := <-done
	assert.Equal(t, exitOK, r.code, r.stderr)
}

func TestGCReleasesWhatNobodyUses(t *testing.T) {
	t.Parallel()
	srv, c, d, owner := setup(t)
	ctx := testCtx(t)
	// room-a names its owner, whose session is live; room-b's viewer
	// gets media from its peer (its flow out).
	require.NoError(t, d.RoomA.AddTag(ctx, "owner", owner.SessionID()))
	offer, err := d.Alice.GenerateOffer(ctx, nil)
	require.NoError(t, err)
	_, err = d.Viewer.ProcessOffer(ctx, offer)
	require.NoError(t, err)
	require.NoError(t, srv.SimulateMediaFlow(d.Viewer.ID()))

	c.stdin = "n\n"
	r := c.run(ctx, "gc", "--older-than", "1h", "--owner-tag", "owner")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "Release 1 pipeline(s)? [y/N] nothing released")
	_, ok := srv.Object(d.Unnamed.ID())
	assert.True(t, ok, "declined: nothing released")

	c.stdin = "y\n"
	r = c.run(ctx, "gc", "--older-than", "1h", "--owner-tag", "owner")
	require.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "gc-release", r.stdout)
	_, ok = srv.Object(d.Unnamed.ID())
	assert.False(t, ok, "the unnamed pipeline is released")
	for _, id := range []string{d.RoomA.ID(), d.RoomB.ID()} {
		_, ok = srv.Object(id)
		assert.True(t, ok, "%s is kept", id)
	}

	// Once its owner is gone, room-a goes too; --tag narrows the choice.
	require.NoError(t, owner.Close())
	r = c.run(ctx, "gc", "--older-than", "1h", "--owner-tag", "owner", "--tag", "room=a", "--yes", "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "gc-release-json", r.stdout)
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	for _, shell := range []string{"bash", "zsh"} {
		r := cli{}.run(ctx, "completion", shell)
		require.Equal(t, exitOK, r.code, r.stderr)
		golden(t, "completion-"+shell, r.stdout)
		if path, err := exec.LookPath(shell); err == nil {
			cmd := exec.CommandContext(ctx, path, "-n", "/dev/stdin")
			cmd.Stdin = strings.NewReader(r.stdout)
			out, err := cmd.CombinedOutput()
			assert.NoError(t, err, "%s -n: %s", shell, out)
		}
	}
}

func TestPrintStats(t *testing.T) {
	t.Parallel()
	// getStats of an RtpEndpoint receiving a PlayerEndpoint's media from
	// another RtpEndpoint, on KMS 7.3.1-dev with latency stats enabled
	// (stats --json output).
	raw, err := os.ReadFile(filepath.Join("testdata", "stats-real-kms.json"))
	require.NoError(t, err)
	var stats map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &stats))
	var out bytes.Buffer
	a := &app{env: env{stdout: &out}}
	require.NoError(t, printStats(a.table(), stats))
	golden(t, "stats-table", out.String())
}
