//go:build integration

package kmdgen

// In the integration build the conformance tests drive the generated
// handles against the real KMS at KURENTO_URL (they skip without it),
// through a recording proxy so that the frames are checked as on the fake,
// with realistic arguments: a Chrome offer, a player on a file the test
// writes, a recorder to a temporary file. Every call must be accepted or
// refused by the server with a KMS error; every value must decode. The
// calls that kill KMS 7.3 are skipped.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/endpoint"
	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/types"
)

// realCrashers are the calls that kill KMS 7.3.1 (see the kurentotest
// package documentation).
var realCrashers = map[string]bool{
	"WebRtcEndpoint.getIceTcp": true,
	"Mixer.connect":            true,
	"Mixer.disconnect":         true,
}

func init() {
	realKMS = func(t *testing.T, ctx context.Context) *fixture {
		t.Helper()
		u := os.Getenv("KURENTO_URL")
		if u == "" {
			t.Skip("KURENTO_URL not set: the conformance test of the integration build needs a real KMS")
		}
		proxy, calls := recordingProxy(t, u)
		c, err := client.Dial(ctx, proxy)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() }) //nolint:contextcheck // Close bounds its own wait; the test ctx is over by then
		t.Cleanup(func() {
			// Release what the test made on the shared server (runs before
			// Close: cleanups run last registered first).
			closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			for _, p := range pipelinesOf(calls()) {
				_ = c.Object("MediaPipeline", p).Release(closeCtx)
			}
		})
		dir := t.TempDir()
		// A player on a file the test makes (not a media file: KMS accepts
		// the calls and reports the decoding failure as Error events) and a
		// recorder writing into the temporary directory.
		media := filepath.Join(dir, "conformance-in.webm")
		require.NoError(t, os.WriteFile(media, []byte("not really webm"), 0o644))
		offer, err := os.ReadFile(filepath.Join("..", "..", "kurentotest", "testdata", "real-kms", "g_offer.sdp"))
		require.NoError(t, err)
		ov := map[string]any{}
		for k, v := range overrides {
			ov[k] = v
		}
		ov["uri"] = "file://" + media
		ov["RecorderEndpoint.uri"] = "file://" + filepath.Join(dir, "conformance-out.webm")
		ov["offer"] = string(offer)
		ov["command"] = "capsfilter caps=video/x-raw"
		return &fixture{t: t, ctx: ctx, calls: calls, c: c, f: idl.Load(), pool: map[string]any{}, overrides: ov, skip: realCrashers}
	}
}

// pipelinesOf lists the ids of the pipelines a call log created.
func pipelinesOf(calls []kurentotest.Call) []string {
	var out []string
	for _, c := range calls {
		if c.Method == "release" || c.Object == "" {
			continue
		}
		if i := strings.Index(c.Object, "_kurento.MediaPipeline"); i > 0 {
			p := c.Object[:i+len("_kurento.MediaPipeline")]
			if len(out) == 0 || out[len(out)-1] != p {
				out = append(out, p)
			}
		}
	}
	return out
}

// recordingProxy forwards websocket frames between the client and the KMS
// at upstream and records the client's requests.
func recordingProxy(t *testing.T, upstream string) (string, func() []kurentotest.Call) {
	t.Helper()
	var (
		mu    sync.Mutex
		calls []kurentotest.Call
	)
	record := func(frame []byte) {
		var m struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
		}
		if json.Unmarshal(frame, &m) != nil {
			return
		}
		var p struct {
			Object    string `json:"object"`
			Operation string `json:"operation"`
			SessionID string `json:"sessionId"`
		}
		_ = json.Unmarshal(m.Params, &p)
		mu.Lock()
		calls = append(calls, kurentotest.Call{
			ID: string(m.ID), Method: m.Method, Object: p.Object, Operation: p.Operation,
			SessionID: p.SessionID, Params: m.Params, Time: time.Now(),
		})
		mu.Unlock()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = in.CloseNow() }()
		in.SetReadLimit(-1)
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		out, resp, err := websocket.Dial(ctx, upstream, nil)
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		if err != nil {
			return
		}
		defer func() { _ = out.CloseNow() }()
		out.SetReadLimit(-1)
		pump := func(from, to *websocket.Conn, rec bool) {
			defer cancel()
			for {
				typ, b, err := from.Read(ctx)
				if err != nil {
					return
				}
				if rec {
					record(b)
				}
				if to.Write(ctx, typ, b) != nil {
					return
				}
			}
		}
		go pump(out, in, false)
		pump(in, out, true)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/kurento", func() []kurentotest.Call {
		mu.Lock()
		defer mu.Unlock()
		return append([]kurentotest.Call(nil), calls...)
	}
}

// TestConformanceRealEvents makes a real KMS send events and checks that
// they decode into their typed structs: ICE gathering on a WebRtcEndpoint
// that answered a Chrome offer, ElementConnected, and the candidates of a
// real IceCandidateFound fed back with addIceCandidate.
func TestConformanceRealEvents(t *testing.T) {
	fx := newFixture(t)
	ctx := fx.ctx
	p, err := pipeline.NewMediaPipeline(ctx, fx.c, nil)
	require.NoError(t, err)
	ep, err := endpoint.NewWebRtcEndpoint(ctx, p, nil)
	require.NoError(t, err)
	cands, err := ep.OnIceCandidateFound(ctx)
	require.NoError(t, err)
	done, err := ep.OnIceGatheringDone(ctx)
	require.NoError(t, err)
	states, err := ep.OnIceComponentStateChanged(ctx)
	require.NoError(t, err)
	connected, err := ep.OnElementConnected(ctx)
	require.NoError(t, err)

	_, err = ep.ProcessOffer(ctx, fx.overrides["offer"].(string))
	require.NoError(t, err)
	require.NoError(t, ep.Connect(ctx, ep, nil))
	require.NoError(t, ep.GatherCandidates(ctx))

	seen := map[types.MediaType]bool{}
	for len(seen) < 3 {
		ev := <-connected
		assert.Equal(t, ep.ID(), ev.Sink)
		seen[ev.MediaType] = true
	}
	st := <-states
	assert.Equal(t, types.IceComponentStateGathering, st.State)
	// Each subscription delivers on its own: IceGatheringDone may be read
	// before the candidates that preceded it on the wire.
	d := <-done
	assert.Equal(t, ep.ID(), d.Source)
	c := <-cands
	assert.True(t, strings.HasPrefix(c.Candidate.Candidate, "candidate:"), c.Candidate.Candidate)
	assert.NotEmpty(t, c.Candidate.SdpMid)
	// A candidate from a real IceCandidateFound goes back in.
	require.NoError(t, ep.AddIceCandidate(ctx, c.Candidate))
	require.NoError(t, p.Release(ctx))
}
