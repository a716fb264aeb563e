package rpc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/rpc"
)

// TestWriteWatchdogKillsAStuckWrite: a server that stops reading leaves a
// large frame's write blocked; the write watchdog kills the socket after
// WriteTimeout, so the connection notices and reconnects instead of
// holding the write slot forever.
func TestWriteWatchdogKillsAStuckWrite(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = ws.CloseNow() }()
		select { // never reads
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	conn, err := rpc.Dial(ctx, rpc.Config{
		URL:          "ws" + strings.TrimPrefix(srv.URL, "http"),
		WriteTimeout: 300 * time.Millisecond,
		Keepalive:    rpc.Keepalive{Disabled: true},
	})
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	changes := conn.StateChanges(ctx)

	// Far more than the socket buffers of both ends hold.
	big := json.RawMessage(`"` + strings.Repeat("x", 64<<20) + `"`)
	callCtx, callCancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- conn.Call(callCtx, "big", big, nil) }()

	sc := nextChange(t, changes)
	assert.Equal(t, rpc.Reconnecting, sc.State)
	require.Error(t, sc.Err)
	assert.Contains(t, sc.Err.Error(), "write timed out")
	callCancel()
	require.Error(t, <-done)
}
