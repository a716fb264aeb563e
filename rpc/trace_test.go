package rpc_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/rpc"
)

func TestResendHookRunsOncePerResendWhenEnabled(t *testing.T) {
	t.Parallel()
	for _, enabled := range []bool{true, false} {
		t.Run(map[bool]string{true: "enabled", false: "disabled"}[enabled], func(t *testing.T) {
			t.Parallel()
			srv := kurentotest.NewServer(t)
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			conn, err := rpc.Dial(ctx, rpc.Config{
				URL: srv.URL(), Backoff: rpc.Backoff{Base: time.Millisecond}, ResendHooks: enabled,
			})
			require.NoError(t, err)
			defer func() { _ = conn.Close() }()
			// The call executes at once; its reply is held until after the
			// socket died, so it is resent on the next one.
			srv.React("ping", kurentotest.Reaction{Delay: 300 * time.Millisecond})
			go func() {
				_, _ = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "ping" })
				srv.DropConnections()
			}()
			var hooked atomic.Int32
			require.NoError(t, conn.Call(rpc.WithResendHook(ctx, func() { hooked.Add(1) }), "ping", nil, nil))
			sent := 0
			for _, c := range srv.Calls() {
				if c.Method == "ping" {
					sent++
				}
			}
			require.Equal(t, 2, sent, "sent, then resent")
			want := int32(0)
			if enabled {
				want = 1
			}
			assert.Equal(t, want, hooked.Load())
		})
	}
}
