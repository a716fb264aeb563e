package rpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/rpc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type pong struct {
	Value string `json:"value"`
}

func nextChange(t *testing.T, ch <-chan rpc.StateChange) rpc.StateChange {
	t.Helper()
	sc, ok := <-ch
	require.True(t, ok, "state channel closed")
	return sc
}

// The keepalive and reconnect timing runs on synctest's fake clock over the
// fake server's in-memory transport: minutes pass in microseconds.
func TestKeepaliveMissReconnectsAndKeepsPinging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := kurentotest.NewServer(t)
		conn, err := rpc.Dial(t.Context(), rpc.Config{URL: srv.URL(), HTTPClient: srv.HTTPClient()})
		require.NoError(t, err)
		defer func() { _ = conn.Close() }()
		changes := conn.StateChanges(t.Context())

		time.Sleep(rpc.DefaultKeepaliveInterval + time.Second)
		synctest.Wait()
		assert.Equal(t, 1, count(srv, "ping"), "one ping per interval")

		srv.React("ping", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted})
		start := time.Now()
		sc := nextChange(t, changes)
		assert.Equal(t, rpc.Reconnecting, sc.State)
		assert.Equal(t, rpc.ReasonKeepalive, sc.Reason)
		require.ErrorIs(t, sc.Err, rpc.ErrKeepaliveTimeout)
		// We are 1 s into the second interval: its ping goes out 19 s later
		// and the socket is declared dead exactly one timeout after that.
		assert.Equal(t, rpc.DefaultKeepaliveInterval-time.Second+rpc.DefaultKeepaliveTimeout, time.Since(start))
		sc = nextChange(t, changes)
		assert.Equal(t, rpc.Ready, sc.State)

		before := count(srv, "ping")
		time.Sleep(3 * rpc.DefaultKeepaliveInterval)
		synctest.Wait()
		assert.Equal(t, before+3, count(srv, "ping"), "keepalive runs after the reconnect")
	})
}

func TestBackoffGivesUpAfterMaxElapsed(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	conn, err := rpc.Dial(t.Context(), rpc.Config{
		URL:       srv.URL(),
		Keepalive: rpc.Keepalive{Disabled: true},
		Backoff:   rpc.Backoff{Base: 10 * time.Millisecond, Multiplier: 2, Jitter: 0.01, MaxElapsed: 300 * time.Millisecond},
		OnConnect: func(ctx context.Context, c rpc.Caller, reconnect bool) (rpc.Outcome, error) {
			if reconnect {
				return rpc.Outcome{}, errors.New("refusing every new socket")
			}
			return rpc.Outcome{}, nil
		},
	})
	require.NoError(t, err)
	changes := conn.StateChanges(t.Context())
	require.NoError(t, conn.Call(t.Context(), "ping", nil, nil))
	start := time.Now()
	srv.DropConnections()
	assert.Equal(t, rpc.Reconnecting, nextChange(t, changes).State)
	sc := nextChange(t, changes)
	assert.Equal(t, rpc.Closed, sc.State)
	assert.Equal(t, rpc.ReasonGaveUp, sc.Reason)
	elapsed := time.Since(start)
	assert.Less(t, elapsed, 5*time.Second)
	assert.Greater(t, elapsed, 140*time.Millisecond, "10+20+40+80 ms of backoff at least")
	_, open := <-changes
	assert.False(t, open)
	err = conn.Call(t.Context(), "ping", nil, nil)
	require.ErrorIs(t, err, rpc.ErrClosed)
	assert.True(t, rpc.SafeToRetry(err))
	require.NoError(t, conn.Close())
}

func TestCallsDuringReconnectWaitWithinTheirContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := kurentotest.NewServer(t)
		conn, err := rpc.Dial(t.Context(), rpc.Config{
			URL: srv.URL(), HTTPClient: srv.HTTPClient(),
			Backoff: rpc.Backoff{Base: 10 * time.Second, Jitter: 0.01},
		})
		require.NoError(t, err)
		defer func() { _ = conn.Close() }()
		changes := conn.StateChanges(t.Context())
		// A reply proves the server registered the socket before it drops it.
		require.NoError(t, conn.Call(t.Context(), "ping", nil, nil))
		srv.DropConnections()
		assert.Equal(t, rpc.Reconnecting, nextChange(t, changes).State)

		short, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		err = conn.Call(short, "ping", nil, nil)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.True(t, rpc.SafeToRetry(err), "it never left the process")

		var p pong
		require.NoError(t, conn.Call(t.Context(), "ping", nil, &p), "waits for the next socket")
		assert.Equal(t, "pong", p.Value)
	})
}

func TestServerThatNeverAnswers(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	conn, err := rpc.Dial(t.Context(), rpc.Config{URL: srv.URL(), CallTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	srv.React("ping", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted, Always: true})
	err = conn.Call(context.Background(), "ping", nil, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// Under a loaded -race run the write itself may miss the deadline; when
	// the server saw the request, it must not be reported as retry-safe.
	if slices.ContainsFunc(srv.Calls(), func(c kurentotest.Call) bool { return c.Method == "ping" }) {
		assert.False(t, rpc.SafeToRetry(err))
	}
	srv.ClearReactions()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // not the short default
	defer cancel()
	require.NoError(t, conn.Call(ctx, "ping", nil, nil))
}

func TestServerErrorReply(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	conn, err := rpc.Dial(t.Context(), rpc.Config{URL: srv.URL()})
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	err = conn.Call(t.Context(), "noSuchMethod", nil, nil)
	var re *rpc.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, -32601, re.Code)
	assert.Equal(t, "Method not found.", re.Message)
	err = conn.Call(t.Context(), "describe", json.RawMessage(`{"object":"x"}`), nil)
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 40101, re.Code)
	assert.JSONEq(t, `{"type":"MEDIA_OBJECT_NOT_FOUND"}`, string(re.Data))
}

func TestIDsAreUniqueAcrossReconnects(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	conn, err := rpc.Dial(t.Context(), rpc.Config{URL: srv.URL(), Backoff: rpc.Backoff{Base: time.Millisecond}})
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	var wg sync.WaitGroup
	for i := range 3 {
		for range 50 {
			wg.Go(func() { assert.NoError(t, conn.Call(t.Context(), "ping", nil, nil)) })
		}
		wg.Wait()
		if i < 2 {
			srv.DropConnections()
		}
	}
	seen := map[string]bool{}
	for _, c := range srv.Calls() {
		assert.False(t, seen[c.ID], "id %s used twice", c.ID)
		seen[c.ID] = true
	}
	assert.GreaterOrEqual(t, len(seen), 150)
}

func TestCloseIsIdempotent(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	conn, err := rpc.Dial(t.Context(), rpc.Config{URL: srv.URL()})
	require.NoError(t, err)
	changes := conn.StateChanges(t.Context())
	require.NoError(t, conn.Close())
	require.NoError(t, conn.Close())
	assert.Equal(t, rpc.Closed, conn.State())
	for range changes { // closes
		continue
	}
	require.ErrorIs(t, conn.Err(), rpc.ErrClosed)
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	_, err := rpc.Dial(t.Context(), rpc.Config{})
	require.Error(t, err)
	_, err = rpc.Dial(t.Context(), rpc.Config{URL: "ws://127.0.0.1:1/kurento", ReadLimit: -1})
	require.Error(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	_, err = rpc.Dial(ctx, rpc.Config{URL: "ws://127.0.0.1:1/kurento"})
	require.Error(t, err, "nothing listens there")
}

func count(srv *kurentotest.Server, method string) int {
	n := 0
	for _, c := range srv.Calls() {
		if c.Method == method {
			n++
		}
	}
	return n
}
