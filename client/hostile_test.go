package client_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/rpc"
)

// TestNeverEndingFrameDropsTheSocket: a frame bigger than four times the
// read limit is not drained forever: the socket is dropped with
// ErrFrameTooLarge and the session resumes on a new one.
func TestNeverEndingFrameDropsTheSocket(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv, client.WithReadLimit(4096), client.WithBackoff(client.Backoff{Base: 10 * time.Millisecond}))
	ctx := testCtx(t)
	changes := c.StateChanges(ctx)
	srv.Inject([]byte(`{"id":1,"result":"` + strings.Repeat("x", 5*4096+1) + `"}`))
	sc := waitState(t, changes, rpc.Reconnecting, rpc.ReasonSocketLost)
	require.ErrorIs(t, sc.Err, rpc.ErrFrameTooLarge)
	waitState(t, changes, rpc.Ready, rpc.ReasonResumed)
	var name string
	require.NoError(t, c.Invoke(ctx, client.ServerManagerID, "getName", nil, &name))
	assert.Equal(t, client.ServerManagerID, name)
}

// answerWith holds the reply of the next getName on the ServerManager and
// answers it with frame (%d is the request id) instead.
func answerWith(ctx context.Context, t *testing.T, srv *kurentotest.Server, c *client.Client, frame string, result any) error {
	t.Helper()
	srv.React("getName", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted})
	errc := make(chan error, 1)
	go func() { errc <- c.Invoke(ctx, client.ServerManagerID, "getName", nil, result) }()
	call, err := srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Operation == "getName" && c.Reacted })
	require.NoError(t, err)
	srv.Inject(fmt.Appendf(nil, frame, call.ID))
	return <-errc
}

// TestRepliesOfTheWrongShape: a reply whose result is not what the call
// expects fails that call with a decoding error; nothing panics and the
// connection stays usable.
func TestRepliesOfTheWrongShape(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, frame string
		want        string
	}{
		{"result not an object", `{"id":%s,"jsonrpc":"2.0","result":[1,2]}`, "decoding result"},
		{"result a string", `{"id":%s,"jsonrpc":"2.0","result":"x"}`, "decoding result"},
		{"value of the wrong type", `{"id":%s,"jsonrpc":"2.0","result":{"value":42}}`, "decoding result"},
		{"value an object", `{"id":%s,"jsonrpc":"2.0","result":{"value":{"a":1}}}`, "decoding result"},
		// Not a valid JSON-RPC envelope, but it names the call (KMS writes
		// the id first): that call fails at once.
		{"error of the wrong shape", `{"id":%s,"jsonrpc":"2.0","error":{"code":"x"}}`, "malformed reply"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := kurentotest.NewServer(t)
			c := dial(t, srv)
			var name string
			ctx, cancel := context.WithTimeout(testCtx(t), time.Second)
			defer cancel()
			err := answerWith(ctx, t, srv, c, tt.frame, &name)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.False(t, client.IsLocal(err), "the server answered, unusably")
			var se *client.Error
			assert.NotErrorAs(t, err, &se, "not a server error reply")
			assert.False(t, client.SafeToRetry(err), "it was sent")
			require.NoError(t, c.Invoke(testCtx(t), client.ServerManagerID, "getName", nil, &name))
			assert.Equal(t, rpc.Ready, c.State())
		})
	}
}

// TestEventFloodWithSlowConsumer: 100,000 events at a subscriber that does
// not read end its subscription with ErrSlowConsumer; memory stays bounded
// (the rest is dropped for want of a subscription) and the client goes on.
func TestEventFloodWithSlowConsumer(t *testing.T) {
	if testing.Short() {
		t.Skip("emits 100,000 events")
	}
	srv := kurentotest.NewServer(t)
	slow := make(chan error, 16)
	const buffer = 4096 // below the flood, unlike the default
	c := dial(t, srv, client.WithEventBuffer(buffer), client.WithErrorHandler(func(err error) {
		select {
		case slow <- err:
		default:
		}
	}))
	// One bound for 100,000 emits, their delivery and a call behind them:
	// generous, since a loaded two-core machine under -race reads them far
	// slower than an idle one (a 20 s bound failed there).
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	ch, err := p.Subscribe(ctx, "Error")
	require.NoError(t, err)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	data := map[string]any{"description": strings.Repeat("d", 200), "errorCode": 1, "type": "FLOOD"}
	for range 100_000 {
		require.NoError(t, srv.Emit(p.ID(), "Error", data))
	}
	require.ErrorIs(t, <-slow, client.ErrSlowConsumer)
	// A call after the flood is answered after every event was read.
	require.NoError(t, p.Invoke(ctx, "getName", nil, nil))
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap growth after 100,000 events at a stalled subscriber: %d KiB", grown/1024)
	assert.Less(t, grown, int64(16<<20), "at most one event buffer is held")

	n := 0
	for range ch {
		n++
	}
	assert.GreaterOrEqual(t, n, buffer, "what was queued is delivered")
	assert.LessOrEqual(t, n, buffer+1, "what was queued is delivered, then the channel closes")
}
