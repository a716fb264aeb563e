package kurentotest_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/kurentotest"
)

type waitResult struct {
	call kurentotest.Call
	err  error
}

func isMethod(method string) func(kurentotest.Call) bool {
	return func(c kurentotest.Call) bool { return c.Method == method }
}

func TestWaitCallInSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := kurentotest.NewServer(t)
		w := memDial(t, s)
		ctx := t.Context()

		// Already logged.
		w.call(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)
		c, err := s.WaitCall(ctx, isMethod("ping"))
		require.NoError(t, err)
		assert.Equal(t, "1", c.ID)
		again, err := s.WaitCall(ctx, isMethod("ping"))
		require.NoError(t, err)
		assert.Equal(t, c, again, "the same match finds the same call")
		first, err := s.WaitCall(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, c, first, "nil matches every call")

		// Logged later: the waiter blocks until the call arrives, not on a
		// non-matching one.
		got := make(chan waitResult, 1)
		go func() {
			c, err := s.WaitCall(ctx, isMethod("create"))
			got <- waitResult{c, err}
		}()
		synctest.Wait()
		select {
		case r := <-got:
			t.Fatalf("WaitCall returned before the call: %+v", r)
		default:
		}
		w.call(`{"jsonrpc":"2.0","id":2,"method":"ping"}`)
		synctest.Wait()
		select {
		case r := <-got:
			t.Fatalf("WaitCall returned on a call that does not match: %+v", r)
		default:
		}
		w.send(`{"jsonrpc":"2.0","id":3,"method":"create","params":{"type":"MediaPipeline"}}`)
		synctest.Wait()
		select {
		case r := <-got:
			require.NoError(t, r.err)
			assert.Equal(t, "3", r.call.ID)
			assert.Equal(t, "create", r.call.Method)
		default:
			t.Fatal("WaitCall did not return once the call was logged")
		}
		w.recv()
	})
}

func TestWaitCallContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := kurentotest.NewServer(t)
		w := memDial(t, s)
		w.call(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)

		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := s.WaitCall(ctx, isMethod("create"))
		require.ErrorIs(t, err, context.Canceled)

		// A logged match wins over an ended context.
		c, err := s.WaitCall(ctx, isMethod("ping"))
		require.NoError(t, err)
		assert.Equal(t, "1", c.ID)

		ctx, cancel = context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err = s.WaitCall(ctx, isMethod("create"))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 2*time.Second, time.Since(start))
	})
}

func TestWaitCallSeesTheExecutedCall(t *testing.T) {
	s := kurentotest.NewServer(t)
	w := memDial(t, s)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	// No reply is read: WaitCall alone orders the test after the call.
	w.send(`{"jsonrpc":"2.0","id":1,"method":"create","params":{"type":"MediaPipeline"}}`)
	_, err := s.WaitCall(ctx, isMethod("create"))
	require.NoError(t, err)
	var types []string
	for _, o := range s.Objects() {
		types = append(types, o.Type)
	}
	assert.Contains(t, types, "MediaPipeline", "the call was executed when it became visible")

	// match may use the server.
	c, err := s.WaitCall(ctx, func(kurentotest.Call) bool { return len(s.Calls()) > 0 })
	require.NoError(t, err)
	assert.Equal(t, "create", c.Method)
}

func TestWaitCallConcurrentWaiters(t *testing.T) {
	s := kurentotest.NewServer(t)
	w := memDial(t, s)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	const n = 20
	results := make([]waitResult, n)
	var wg sync.WaitGroup
	for i := range n {
		id := strconv.Itoa(i)
		wg.Go(func() {
			c, err := s.WaitCall(ctx, func(c kurentotest.Call) bool { return c.ID == id })
			results[i] = waitResult{c, err}
		})
	}
	for i := range n {
		w.call(`{"jsonrpc":"2.0","id":` + strconv.Itoa(i) + `,"method":"ping"}`)
	}
	wg.Wait()
	for i, r := range results {
		require.NoError(t, r.err, i)
		assert.Equal(t, strconv.Itoa(i), r.call.ID)
	}
}

func TestWaitCallServerClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := kurentotest.Start()
		require.NoError(t, err)
		w := memDial(t, s)
		w.call(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)

		got := make(chan waitResult, 1)
		go func() {
			c, err := s.WaitCall(t.Context(), isMethod("create"))
			got <- waitResult{c, err}
		}()
		synctest.Wait()
		require.NoError(t, s.Close())
		r := <-got
		require.ErrorIs(t, r.err, kurentotest.ErrServerClosed)

		c, err := s.WaitCall(t.Context(), isMethod("ping"))
		require.NoError(t, err, "the log outlives the server")
		assert.Equal(t, "1", c.ID)
	})
}
