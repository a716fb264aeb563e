package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/internal/peertest"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/rpc"
)

// TestDialIsBoundedByDefault: a peer that accepts the connection but never
// completes the websocket upgrade cannot hold a Dial whose ctx has no
// deadline: DialTimeout bounds it.
func TestDialIsBoundedByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc, wait := peertest.Client(peertest.NeverUpgrades)
		defer wait()
		start := time.Now()
		_, err := rpc.Dial(context.Background(), rpc.Config{URL: "ws://peer/kurento", HTTPClient: hc})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, rpc.DefaultDialTimeout, time.Since(start))
	})
}

// TestDialRefusesWhatIsNotAWebsocketURL: the websocket library would
// accept http(s) URLs silently; Dial refuses them before dialling.
func TestDialRefusesWhatIsNotAWebsocketURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://127.0.0.1:1/kurento", "https://127.0.0.1:1/kurento", "127.0.0.1:8888/kurento", "ws:///kurento", "ws://%zz"} {
		_, err := rpc.Dial(t.Context(), rpc.Config{URL: u})
		require.Error(t, err, u)
		assert.NotContains(t, err.Error(), "dial", "refused before dialling: %v", err)
	}
}

// TestCloseIsBoundedWhateverThePeerDoes: a peer that reads everything and
// answers nothing, not even the close frame, holds Close for at most
// DefaultCloseTimeout; an ended ctx closes without waiting at all.
func TestCloseIsBoundedWhateverThePeerDoes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc, wait := peertest.Client(peertest.Silent)
		defer wait()
		cfg := rpc.Config{URL: "ws://peer/kurento", HTTPClient: hc, Keepalive: rpc.Keepalive{Disabled: true}}
		conn, err := rpc.Dial(t.Context(), cfg)
		require.NoError(t, err)
		start := time.Now()
		require.NoError(t, conn.Close())
		assert.LessOrEqual(t, time.Since(start), rpc.DefaultCloseTimeout)

		conn, err = rpc.Dial(t.Context(), cfg)
		require.NoError(t, err)
		ended, cancel := context.WithCancel(t.Context())
		cancel()
		start = time.Now()
		require.NoError(t, conn.CloseContext(ended))
		assert.Zero(t, time.Since(start))
	})
}

// refuseReconnects keeps the server "down" for this connection: every new
// socket is refused by OnConnect.
func refuseReconnects(_ context.Context, _ rpc.Caller, reconnect bool) (rpc.Outcome, error) {
	if reconnect {
		return rpc.Outcome{}, errors.New("refusing every new socket")
	}
	return rpc.Outcome{}, nil
}

// TestInFlightCallSettlesWithConnectionLost: a call in flight when the
// server goes away for good fails with ErrConnectionLost as soon as its
// resend window closes, not when its own (longer) deadline expires: an
// application can tell a dead server from a slow one.
func TestInFlightCallSettlesWithConnectionLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := kurentotest.NewServer(t)
		conn, err := rpc.Dial(t.Context(), rpc.Config{
			URL: srv.URL(), HTTPClient: srv.HTTPClient(),
			Keepalive: rpc.Keepalive{Disabled: true},
			OnConnect: refuseReconnects,
		})
		require.NoError(t, err)
		defer func() { _ = conn.Close() }()
		srv.React("ping", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted})
		ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
		defer cancel()
		errc := make(chan error, 1)
		start := time.Now()
		go func() { errc <- conn.Call(ctx, "ping", nil, nil) }()
		_, err = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "ping" })
		require.NoError(t, err)
		srv.DropConnections()
		err = <-errc
		require.ErrorIs(t, err, rpc.ErrConnectionLost)
		require.NotErrorIs(t, err, context.DeadlineExceeded)
		assert.False(t, rpc.SafeToRetry(err))
		assert.Equal(t, rpc.DefaultResendWindow, time.Since(start), "settled when its resend window closed")
	})
}

// dropYoung makes srv drop every socket shortly after its handshake, the
// way a server that accepts and then crashes does.
func dropYoung(srv *kurentotest.Server, handshakes *atomic.Int64) func(context.Context, rpc.Caller, bool) (rpc.Outcome, error) {
	return func(ctx context.Context, c rpc.Caller, _ bool) (rpc.Outcome, error) {
		handshakes.Add(1)
		if err := c.Call(ctx, "ping", nil, nil); err != nil {
			return rpc.Outcome{}, err
		}
		go func() {
			time.Sleep(40 * time.Millisecond)
			srv.DropConnections()
		}()
		return rpc.Outcome{Resumed: true}, nil
	}
}

// TestBackoffSpansShortLivedSockets: a server that completes the handshake
// and drops the socket 40 ms later is not hammered: the backoff keeps
// growing across such sockets, and MaxElapsed ends the connection.
func TestBackoffSpansShortLivedSockets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := kurentotest.NewServer(t)
		var handshakes atomic.Int64
		begin := time.Now()
		conn, err := rpc.Dial(t.Context(), rpc.Config{
			URL: srv.URL(), HTTPClient: srv.HTTPClient(),
			Keepalive: rpc.Keepalive{Disabled: true},
			Backoff:   rpc.Backoff{NoJitter: true, MaxElapsed: 30 * time.Second},
			OnConnect: dropYoung(srv, &handshakes),
		})
		require.NoError(t, err)
		defer func() { _ = conn.Close() }()
		time.Sleep(5 * time.Second)
		// 100 ms × 1.6^n without jitter: 100+160+256+410+655+1049+1678 ms
		// of waiting plus the sockets' 40 ms lives fit in 5 s, the next
		// delay does not.
		assert.Equal(t, int64(8), handshakes.Load(), "the dial and 7 reconnects in 5 s")
		select {
		case <-conn.Done():
		case <-time.After(time.Minute):
			require.FailNow(t, "still reconnecting a minute later")
		}
		require.ErrorIs(t, conn.Err(), rpc.ErrClosed)
		assert.LessOrEqual(t, time.Since(begin), 30*time.Second, "gave up within MaxElapsed")
	})
}

// TestRequestThatKillsTheConnectionIsNotResentForever: a request on which
// the server drops the socket each time is resent a few times and then
// failed with ErrConnectionLost saying so, while the connection recovers.
func TestRequestThatKillsTheConnectionIsNotResentForever(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := kurentotest.NewServer(t)
		conn, err := rpc.Dial(t.Context(), rpc.Config{
			URL: srv.URL(), HTTPClient: srv.HTTPClient(),
			Keepalive: rpc.Keepalive{Disabled: true},
		})
		require.NoError(t, err)
		defer func() { _ = conn.Close() }()
		srv.React("poison", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted, Always: true})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var sends atomic.Int64
		go func() { // the server dies on every copy of the request
			_, _ = srv.WaitCall(ctx, func(c kurentotest.Call) bool {
				if c.Method == "poison" {
					sends.Add(1)
					srv.DropConnections()
				}
				return false
			})
		}()
		err = conn.Call(t.Context(), "poison", nil, nil)
		require.ErrorIs(t, err, rpc.ErrConnectionLost)
		assert.Contains(t, err.Error(), "not resent again")
		synctest.Wait()
		assert.Equal(t, int64(3), sends.Load())
		require.NoError(t, conn.Call(t.Context(), "ping", nil, nil), "the connection itself recovers")
	})
}

// TestDeadContextNeverReachesTheWire: a call whose ctx already ended is
// refused before anything is written, even with a free socket.
func TestDeadContextNeverReachesTheWire(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	conn, err := rpc.Dial(t.Context(), rpc.Config{URL: srv.URL(), Keepalive: rpc.Keepalive{Disabled: true}})
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for range 50 {
		err := conn.Call(ctx, "ping", nil, nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.True(t, rpc.SafeToRetry(err))
	}
	// A call answered after them proves none of them is still on its way.
	var re *rpc.Error
	require.ErrorAs(t, conn.Call(t.Context(), "noSuchMethod", nil, nil), &re)
	assert.Zero(t, count(srv, "ping"), "no cancelled call was sent")
}

// TestOversizedFrameCostsAboutItsLimit: reading a reply over the read
// limit allocates about twice the limit in all (a buffer that doubles up
// to the limit), not four times, and the call fails with ErrFrameTooLarge
// counted as answered. Not parallel: it measures the process's
// allocations.
func TestOversizedFrameCostsAboutItsLimit(t *testing.T) {
	const limit = 4 << 20
	srv := kurentotest.NewServer(t)
	conn, err := rpc.Dial(t.Context(), rpc.Config{
		URL: srv.URL(), ReadLimit: limit, Keepalive: rpc.Keepalive{Disabled: true},
		Dialect: rpc.KMSDialect(), // names the call of an oversized reply
	})
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	srv.React("getBig", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted})
	errc := make(chan error, 1)
	go func() { errc <- conn.Call(t.Context(), "getBig", nil, nil) }()
	call, err := srv.WaitCall(t.Context(), func(c kurentotest.Call) bool { return c.Method == "getBig" })
	require.NoError(t, err)
	frame := fmt.Appendf(nil, `{"id":%s,"jsonrpc":"2.0","result":"%s"}`, call.ID, strings.Repeat("x", 2*limit))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	srv.Inject(frame)
	err = <-errc
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, rpc.ErrFrameTooLarge)
	assert.True(t, rpc.Answered(err))
	// The fake server's two copies of the frame (Inject's and its write
	// loop's, 2×limit each) count too; the reader's part must stay near
	// 2×limit (it was 4×limit with a growing bytes.Buffer).
	read := int64(after.TotalAlloc-before.TotalAlloc) - 2*2*limit
	t.Logf("allocated while reading a %d-byte frame at a %d-byte limit: %d bytes", len(frame), limit, read)
	assert.Less(t, read, int64(3*limit))
}
