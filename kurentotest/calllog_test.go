package kurentotest_test

import (
	"context"
	"strconv"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/kurentotest"
)

// TestCallLogIsBounded: with WithCallLog the log keeps the most recent
// calls only (a long-running fake keeps flat memory), and WaitCall still
// finds calls logged after it started waiting.
func TestCallLogIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := kurentotest.NewServer(t, kurentotest.WithCallLog(10))
		w := memDial(t, s)
		for i := range 1000 {
			w.call(`{"jsonrpc":"2.0","id":` + strconv.Itoa(i) + `,"method":"ping"}`)
		}
		calls := s.Calls()
		require.Len(t, calls, 10)
		assert.Equal(t, "990", calls[0].ID)
		assert.Equal(t, "999", calls[9].ID)

		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		found := make(chan kurentotest.Call, 1)
		go func() {
			c, err := s.WaitCall(ctx, func(c kurentotest.Call) bool { return c.ID == "1500" })
			if err == nil {
				found <- c
			}
		}()
		synctest.Wait()
		for i := 1000; i <= 1500; i++ {
			w.call(`{"jsonrpc":"2.0","id":` + strconv.Itoa(i) + `,"method":"ping"}`)
		}
		assert.Equal(t, "1500", (<-found).ID)
	})
}

// TestReactTargetsAreExplicit: "connect" is the session handshake, not
// MediaElement.connect, which ReactOperation targets; a count is either a
// number of calls or Always, never both.
func TestReactTargetsAreExplicit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := kurentotest.NewServer(t)
		w := memDial(t, s)
		s.React("connect", kurentotest.Reaction{Fail: &kurentotest.Failure{Code: 40004, Message: "handshake refused"}})
		s.ReactOperation("connect", kurentotest.Reaction{Fail: &kurentotest.Failure{Code: 40107, Message: "element connect refused"}})
		pl := create(t, w, "MediaPipeline", `{}`)
		a := create(t, w, "PassThrough", `{"mediaPipeline":"`+pl+`"}`)
		reply, _ := invoke(t, w, a, "connect", `{"sink":"`+a+`"}`)
		assert.Contains(t, reply, "element connect refused")
		assert.Contains(t, w.call(`{"jsonrpc":"2.0","id":11,"method":"connect"}`), "handshake refused")
		assert.Panics(t, func() { s.React("ping", kurentotest.Reaction{Times: 2, Always: true}) })
		assert.Panics(t, func() { s.React("ping", kurentotest.Reaction{Times: -1}) })
	})
}
