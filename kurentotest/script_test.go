package kurentotest_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/kurentotest"
)

// memDial opens a raw socket through the server's in-memory transport.
func memDial(t *testing.T, s *kurentotest.Server) *wsConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	ws, err := dialWS(ctx, s.URL(), s.HTTPClient())
	require.NoError(t, err)
	t.Cleanup(func() { _ = ws.CloseNow() })
	return &wsConn{t: t, ws: ws}
}

func advance(d time.Duration) {
	tm := time.NewTimer(d)
	<-tm.C
}

func TestInMemoryTransportInSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := kurentotest.NewServer(t, kurentotest.WithGCPeriod(10*time.Second), kurentotest.WithReplyCacheTTL(5*time.Second))
		assert.Equal(t, "ws://kurentotest.invalid/kurento", s.URL(), "no TCP listener inside a bubble")
		w := memDial(t, s)
		v := match(t, `{"id":1,"jsonrpc":"2.0","result":{"sessionId":"{{S}}","value":"{{P}}"}}`,
			w.call(`{"jsonrpc":"2.0","id":1,"method":"create","params":{"type":"MediaPipeline"}}`), nil)

		// The reply cache expires after its TTL.
		assertFrame(t, w.call(`{"jsonrpc":"2.0","id":1,"method":"create","params":{"type":"MediaPipeline"}}`),
			expand(`{"id":1,"jsonrpc":"2.0","result":{"sessionId":"{{S}}","value":"{{P}}"}}`, v))
		advance(6 * time.Second)
		assert.NotContains(t, w.call(`{"jsonrpc":"2.0","id":1,"method":"create","params":{"type":"MediaPipeline"}}`), v["P"])
		calls := s.Calls()
		require.Len(t, calls, 3)
		assert.False(t, calls[0].Cached)
		assert.True(t, calls[1].Cached)
		assert.False(t, calls[2].Cached)
		assert.Equal(t, v["S"], calls[1].SessionID)
		assert.Equal(t, "1", calls[1].ID)

		// A bound socket keeps its session alive through GC passes.
		advance(35 * time.Second)
		assert.Equal(t, []string{v["S"]}, s.Sessions())

		// Unbound, the session and its objects go within two periods.
		require.NoError(t, w.ws.CloseNow())
		synctest.Wait()
		advance(21 * time.Second)
		assert.Empty(t, s.Sessions())
		assert.Len(t, s.Objects(), 1, "only the ServerManager is left")
	})
}

func TestReactions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := kurentotest.NewServer(t)
		w := memDial(t, s)

		s.React("ping", kurentotest.Reaction{Fail: &kurentotest.Failure{Code: 40007, Message: "Invalid session"}})
		assertFrame(t, `{"error":{"code":40007,"data":{"type":"INVALID_SESSION"},"message":"Invalid session"},"id":1,"jsonrpc":"2.0"}`,
			w.call(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		assertFrame(t, `{"id":2,"jsonrpc":"2.0","result":{"value":"pong"}}`, w.call(`{"jsonrpc":"2.0","id":2,"method":"ping"}`),
			"a reaction applies once by default")

		// Delay: the reply comes after the delay; the call ran at once.
		s.React("create", kurentotest.Reaction{Delay: 3 * time.Second})
		start := time.Now()
		reply := w.call(`{"jsonrpc":"2.0","id":3,"method":"create","params":{"type":"MediaPipeline"}}`)
		assert.Equal(t, 3*time.Second, time.Since(start))
		v := match(t, `{"id":3,"jsonrpc":"2.0","result":{"sessionId":"{{S}}","value":"{{P}}"}}`, reply, nil)

		// Swallow after executing: no reply, but a resend gets the cached one.
		s.React("getName", kurentotest.Reaction{Swallow: kurentotest.SwallowExecuted})
		get := `{"jsonrpc":"2.0","id":4,"method":"invoke","params":{"object":"` + v["P"] + `","operation":"getName"}}`
		w.noReply(get)
		assertFrame(t, `{"id":4,"jsonrpc":"2.0","result":{"sessionId":"`+v["S"]+`","value":"`+v["P"]+`"}}`, w.call(get))

		// Swallow without executing: a resend executes.
		s.React("invoke", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted, Always: true})
		set := `{"jsonrpc":"2.0","id":5,"method":"invoke","params":{"object":"` + v["P"] + `","operation":"setName","operationParams":{"name":"x"}}}`
		w.noReply(set)
		o, ok := s.Object(v["P"])
		require.True(t, ok)
		assert.NotContains(t, o.Properties, "name")
		s.ClearReactions()
		assert.Contains(t, w.call(set), `"value":null`)
		o, _ = s.Object(v["P"])
		assert.Equal(t, "x", o.Properties["name"])

		var executed int
		for _, c := range s.Calls() {
			if c.Operation == "setName" && !c.Cached && !c.Reacted {
				executed++
			}
		}
		assert.Equal(t, 1, executed)
	})
}

func TestDropRestartInjectEmit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := kurentotest.NewServer(t)
		w := memDial(t, s)
		v := match(t, `{"id":1,"jsonrpc":"2.0","result":{"sessionId":"{{S}}","value":"{{P}}"}}`,
			w.call(`{"jsonrpc":"2.0","id":1,"method":"create","params":{"type":"MediaPipeline"}}`), nil)
		ep := expand(`{{P}}/`, v)
		reply := w.call(`{"jsonrpc":"2.0","id":2,"method":"create","params":{"type":"WebRtcEndpoint","constructorParams":{"mediaPipeline":"` + v["P"] + `"}}}`)
		v = match(t, `{"id":2,"jsonrpc":"2.0","result":{"sessionId":"{{S}}","value":"`+ep+`{{E}}"}}`, reply, v)
		ep += v["E"]
		require.Contains(t, w.call(`{"jsonrpc":"2.0","id":3,"method":"subscribe","params":{"object":"`+ep+`","type":"MediaStateChanged"}}`), `"result"`)

		// Emit fills the common fields.
		require.NoError(t, s.Emit(ep, "MediaStateChanged", map[string]string{"oldState": "DISCONNECTED", "newState": "CONNECTED"}))
		match(t, `{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"data":{"newState":"CONNECTED","oldState":"DISCONNECTED","source":"`+ep+`","tags":[],"timestampMillis":"{{ts}}","type":"MediaStateChanged"},"object":"`+ep+`","type":"MediaStateChanged"}}}`, w.recv(), nil)
		require.Error(t, s.Emit(ep, "CodeFound", nil))
		require.Error(t, s.Emit("nope", "Error", nil))

		// Inject writes raw frames.
		s.Inject([]byte(`{"garbage":`))
		assertFrame(t, `{"garbage":`, w.recv())

		// DropConnections keeps the session: connect re-binds it and
		// events flow again, without re-subscribing.
		serverID := s.ServerID()
		s.DropConnections()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		_, _, err := w.ws.Read(ctx)
		cancel()
		require.Error(t, err)
		w2 := memDial(t, s)
		assertFrame(t, `{"id":10,"jsonrpc":"2.0","result":{"serverId":"`+serverID+`","sessionId":"`+v["S"]+`"}}`,
			w2.call(`{"jsonrpc":"2.0","id":10,"method":"connect","params":{"sessionId":"`+v["S"]+`"}}`))
		require.NoError(t, s.Emit(ep, "MediaStateChanged", nil))
		assert.Contains(t, w2.recv(), `"newState":"DISCONNECTED"`)
		subs := s.Subscriptions()
		require.Len(t, subs, 1)
		assert.Equal(t, v["S"], subs[0].Session)

		// Restart forgets everything and changes the serverId.
		s.Restart()
		assert.NotEqual(t, serverID, s.ServerID())
		assert.Empty(t, s.Sessions())
		w3 := memDial(t, s)
		assert.Contains(t, w3.call(`{"jsonrpc":"2.0","id":11,"method":"connect","params":{"sessionId":"`+v["S"]+`"}}`), `"code":40007`)
	})
}
