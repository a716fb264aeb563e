package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/rpc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, srv *kurentotest.Server, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.Dial(testCtx(t), srv.URL(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// executions counts the calls of method (and invoke operation) that ran on
// the server, not answered from its reply cache.
func executions(srv *kurentotest.Server, method, operation string) (ran, cached int) {
	for _, c := range srv.Calls() {
		if c.Method != method || (operation != "" && c.Operation != operation) {
			continue
		}
		if c.Cached {
			cached++
		} else {
			ran++
		}
	}
	return ran, cached
}

// waitState reads changes until one matches.
func waitState(t *testing.T, ch <-chan rpc.StateChange, st rpc.State, r rpc.Reason) rpc.StateChange {
	t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	for {
		select {
		case sc, ok := <-ch:
			require.True(t, ok, "state channel closed before %v/%v", st, r)
			if sc.State == st && sc.Reason == r {
				return sc
			}
		case <-timer.C:
			require.FailNow(t, "no state change", "%v/%v", st, r)
		}
	}
}

func TestDialHandshakeFixesSession(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	assert.NotEmpty(t, c.SessionID())
	assert.Equal(t, srv.ServerID(), c.ServerID())
	assert.Equal(t, rpc.Ready, c.State())
	assert.Equal(t, []string{c.SessionID()}, srv.Sessions(), "the handshake registers the session")
	calls := srv.Calls()
	require.Len(t, calls, 2)
	assert.Equal(t, "connect", calls[0].Method)
	assert.Equal(t, "describe", calls[1].Method)
	assert.Equal(t, client.ServerManagerID, calls[1].Object)
}

func TestConcurrentCreatesRightAfterDialShareOneSession(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	var g sync.WaitGroup
	ids := make([]string, 100)
	for i := range 100 {
		g.Go(func() {
			o, err := c.CreateObject(ctx, "MediaPipeline", nil)
			if assert.NoError(t, err) {
				ids[i] = o.ID()
			}
		})
	}
	g.Wait()
	assert.Equal(t, []string{c.SessionID()}, srv.Sessions())
	seen := map[string]bool{}
	for _, call := range srv.Calls()[1:] { // all but the handshake's connect
		assert.Equal(t, c.SessionID(), call.SessionID, "every request carries the one session")
		assert.False(t, seen[call.ID], "request id %s reused", call.ID)
		seen[call.ID] = true
	}
	for _, id := range ids {
		o, ok := srv.Object(id)
		require.True(t, ok)
		assert.Equal(t, []string{c.SessionID()}, o.Owners)
	}
}

func TestManyConcurrentCalls(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	// 3,840 calls under -race on a loaded 2-core machine: the bound is for a
	// hang, not a speed check.
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	var g sync.WaitGroup
	for i := range 64 {
		g.Go(func() {
			for j := range 20 {
				name := fmt.Sprintf("n-%d-%d", i, j)
				var got string
				// Each goroutine works on its own element so values cannot race.
				e, err := p.CreateObject(ctx, "PassThrough", map[string]any{"mediaPipeline": p})
				if !assert.NoError(t, err) {
					return
				}
				assert.NoError(t, e.Invoke(ctx, "setName", map[string]string{"name": name}, nil))
				assert.NoError(t, e.Invoke(ctx, "getName", nil, &got))
				assert.Equal(t, name, got)
			}
		})
	}
	g.Wait()
}

func TestCancelAbandonsTheWaitNotTheConnection(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	srv.React("getName", kurentotest.Reaction{Swallow: kurentotest.SwallowExecuted})

	cctx, cancel := context.WithCancel(ctx)
	go func() { // cancel once the server has the request
		_, _ = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Operation == "getName" })
		cancel()
	}()
	err := c.Invoke(cctx, client.ServerManagerID, "getName", nil, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, rpc.SafeToRetry(err), "it was sent")

	dctx, dcancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer dcancel()
	srv.React("getName", kurentotest.Reaction{Swallow: kurentotest.SwallowExecuted})
	err = c.Invoke(dctx, client.ServerManagerID, "getName", nil, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	var name string
	require.NoError(t, c.Invoke(ctx, client.ServerManagerID, "getName", nil, &name), "connection still usable")
	assert.Equal(t, rpc.Ready, c.State())
}

func TestDefaultTimeoutAppliesWithoutDeadline(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv, client.WithCallTimeout(100*time.Millisecond))
	srv.React("getName", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted, Always: true})
	start := time.Now()
	err := c.Invoke(context.Background(), client.ServerManagerID, "getName", nil, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestDroppedMidCallIsResentAndRunsOnce(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv, client.WithBackoff(client.Backoff{Base: 10 * time.Millisecond}))
	ctx := testCtx(t)
	changes := c.StateChanges(ctx)
	// The create executes at once; its reply is held, and the socket dies
	// before it is sent.
	srv.React("create", kurentotest.Reaction{Delay: 300 * time.Millisecond})
	go func() { // drop once the create ran and its reply is held
		_, _ = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "create" })
		srv.DropConnections()
	}()
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	waitState(t, changes, rpc.Ready, rpc.ReasonResumed)

	ran, cached := executions(srv, "create", "")
	assert.Equal(t, 1, ran, "executed exactly once")
	assert.Equal(t, 1, cached, "the resend was answered from the reply cache")
	_, ok := srv.Object(p.ID())
	assert.True(t, ok)
	assert.Len(t, srv.Objects(), 2, "ServerManager and one pipeline")
}

func TestUnsentCallsWaitForReconnect(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv, client.WithBackoff(client.Backoff{Base: 50 * time.Millisecond}))
	ctx := testCtx(t)
	changes := c.StateChanges(ctx)
	srv.DropConnections()
	waitState(t, changes, rpc.Reconnecting, rpc.ReasonSocketLost)
	var name string
	require.NoError(t, c.Invoke(ctx, client.ServerManagerID, "getName", nil, &name))
	assert.Equal(t, client.ServerManagerID, name)
}

func TestPastResendWindowFailsWithConnectionLost(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv,
		client.WithResendWindow(30*time.Millisecond),
		client.WithBackoff(client.Backoff{Base: 100 * time.Millisecond, Jitter: 0.01}))
	ctx := testCtx(t)
	srv.React("create", kurentotest.Reaction{Swallow: kurentotest.SwallowExecuted})
	go func() { // drop once the create ran (its reply is swallowed)
		_, _ = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "create" })
		srv.DropConnections()
	}()
	_, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.ErrorIs(t, err, client.ErrConnectionLost)
	assert.False(t, rpc.SafeToRetry(err))
	ran, cached := executions(srv, "create", "")
	assert.Equal(t, 1, ran)
	assert.Equal(t, 0, cached, "not resent")
}

func TestServerRestartLosesSession(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	var handled atomic.Int32
	c := dial(t, srv,
		client.WithBackoff(client.Backoff{Base: 10 * time.Millisecond}),
		client.WithErrorHandler(func(error) { handled.Add(1) }))
	ctx := testCtx(t)
	oldSession, oldServer := c.SessionID(), c.ServerID()
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	events, err := p.Subscribe(ctx, "Error")
	require.NoError(t, err)
	changes := c.StateChanges(ctx)

	srv.React("getName", kurentotest.Reaction{Swallow: kurentotest.SwallowExecuted})
	errc := make(chan error, 1)
	go func() { errc <- p.Invoke(ctx, "getName", nil, nil) }()
	_, err = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Operation == "getName" })
	require.NoError(t, err)
	srv.Restart()

	require.ErrorIs(t, <-errc, client.ErrSessionLost)
	sc := waitState(t, changes, rpc.Ready, rpc.ReasonSessionLost)
	require.ErrorIs(t, sc.Err, client.ErrSessionLost)
	_, open := <-events
	assert.False(t, open, "subscriptions end with the session")
	assert.NotEqual(t, oldSession, c.SessionID())
	assert.NotEqual(t, oldServer, c.ServerID())
	assert.Equal(t, srv.ServerID(), c.ServerID())

	err = p.Invoke(ctx, "getName", nil, nil)
	require.ErrorIs(t, err, client.ErrSessionLost, "old handles fail before the wire")
	q, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err, "the new session works")
	require.NoError(t, q.Release(ctx))
}

func TestKeepaliveMissReconnects(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv,
		client.WithKeepalive(client.Keepalive{Interval: 30 * time.Millisecond, Timeout: 50 * time.Millisecond}),
		client.WithBackoff(client.Backoff{Base: 10 * time.Millisecond}))
	ctx := testCtx(t)
	changes := c.StateChanges(ctx)
	srv.React("ping", kurentotest.Reaction{Swallow: kurentotest.SwallowUnexecuted})
	sc := waitState(t, changes, rpc.Reconnecting, rpc.ReasonKeepalive)
	require.ErrorIs(t, sc.Err, rpc.ErrKeepaliveTimeout)
	waitState(t, changes, rpc.Ready, rpc.ReasonResumed)
	// Keepalive goes on after the reconnect: more pings arrive.
	resumedAt := time.Now()
	for range 2 {
		_, err := srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "ping" && c.Time.After(resumedAt) })
		require.NoError(t, err)
		resumedAt = time.Now()
	}
}

func TestCloseIsIdempotentAndEndsSession(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c, err := client.Dial(testCtx(t), srv.URL())
	require.NoError(t, err)
	ctx := testCtx(t)
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	events, err := p.Subscribe(ctx, "Error")
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.NoError(t, c.Close())
	_, open := <-events
	assert.False(t, open)
	assert.Equal(t, rpc.Closed, c.State())
	_, ok := srv.Object(p.ID())
	assert.False(t, ok, "closeSession freed the objects only this session owned")
	err = p.Invoke(ctx, "getName", nil, nil)
	require.ErrorIs(t, err, client.ErrClosed)
	assert.True(t, rpc.SafeToRetry(err))
}

func TestKeepSessionOnCloseAndAdopt(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	ctx := testCtx(t)
	c1, err := client.Dial(ctx, srv.URL(), client.WithKeepSessionOnClose())
	require.NoError(t, err)
	p, err := c1.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	sid := c1.SessionID()
	require.NoError(t, c1.Close())
	_, ok := srv.Object(p.ID())
	require.True(t, ok, "kept")

	c2 := dial(t, srv, client.WithSessionID(sid))
	assert.Equal(t, sid, c2.SessionID())
	h, err := c2.Lookup(ctx, p.ID())
	require.NoError(t, err)
	o, ok := h.(*client.Object)
	require.True(t, ok)
	assert.Equal(t, "MediaPipeline", o.Type())

	_, err = client.Dial(ctx, srv.URL(), client.WithSessionID("no-such-session"))
	require.ErrorIs(t, err, client.ErrInvalidSession)
}

func TestServerErrorsMatchSentinelsByCode(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	err := c.Invoke(ctx, "nope_kurento.MediaPipeline", "getName", nil, nil)
	require.ErrorIs(t, err, client.ErrObjectNotFound)
	var kerr *client.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, client.CodeObjectNotFound, kerr.Code)
	assert.Equal(t, "MEDIA_OBJECT_NOT_FOUND", kerr.Type)
	assert.Equal(t, "MEDIA_OBJECT_NOT_FOUND", kerr.Code.String())
	code, ok := client.CodeOf(err)
	assert.True(t, ok)
	assert.Equal(t, client.CodeObjectNotFound, code)
	var op *client.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "invoke", op.Method)
	assert.Equal(t, "getName", op.Operation)
	assert.Equal(t, "nope_kurento.MediaPipeline", op.ObjectID)
	assert.Contains(t, err.Error(), "invoke getName on nope_kurento.MediaPipeline")
	require.NotErrorIs(t, err, client.ErrSessionLost)
	assert.False(t, client.IsLocal(err))

	_, err = c.CreateObject(ctx, "NoSuchClass", nil)
	require.ErrorIs(t, err, client.ErrNotAvailable)

	srv.React("getName", kurentotest.Reaction{Fail: &kurentotest.Failure{Code: 40208, Message: "x"}})
	err = c.Invoke(ctx, client.ServerManagerID, "getName", nil, nil)
	require.ErrorIs(t, err, client.ErrSDPAlreadyNegotiated)
}

func TestBadArgumentsFailBeforeTheWire(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	before := len(srv.Calls())
	require.ErrorIs(t, c.Invoke(ctx, "", "getName", nil, nil), client.ErrInvalidArgument)
	_, err := c.CreateObject(ctx, "", nil)
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	err = c.Invoke(ctx, client.ServerManagerID, "getName", json.RawMessage(`{bad`), nil)
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	assert.True(t, rpc.SafeToRetry(err))
	err = c.Invoke(ctx, client.ServerManagerID, "getName", map[string]any{"f": func() {}}, nil)
	require.ErrorIs(t, err, client.ErrInvalidArgument)
	var nilObj *client.Object
	require.ErrorIs(t, nilObj.Invoke(ctx, "getName", nil, nil), client.ErrInvalidArgument)
	_, err = client.Dial(ctx, srv.URL(), client.WithReadLimit(1))
	require.Error(t, err)
	assert.Len(t, srv.Calls(), before, "nothing reached the server")
}

func TestSubscriptionsShareOneServerSubscription(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	sctx, cancel := context.WithCancel(ctx)
	a, err := p.Subscribe(sctx, "Error")
	require.NoError(t, err)
	b, err := p.Subscribe(ctx, "Error")
	require.NoError(t, err)
	ran, _ := executions(srv, "subscribe", "")
	assert.Equal(t, 1, ran, "one server subscription for both")

	for i := range 100 {
		require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"description": fmt.Sprint(i), "errorCode": i, "type": "X"}))
	}
	for _, ch := range []<-chan event.Raw{a, b} {
		for i := range 100 {
			ev := <-ch
			var d struct {
				ErrorCode int `json:"errorCode"`
			}
			require.NoError(t, json.Unmarshal(ev.Data, &d))
			require.Equal(t, i, d.ErrorCode, "in order")
			assert.Equal(t, p.ID(), ev.Object)
		}
	}
	cancel()
	_, open := <-a
	assert.False(t, open, "closed by its ctx")
	ran, _ = executions(srv, "unsubscribe", "")
	assert.Equal(t, 0, ran, "b still needs the server subscription")

	require.NoError(t, p.Release(ctx))
	_, open = <-b
	assert.False(t, open, "closed by release")
}

func TestSubscribeUndeclaredEvent(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	_, err = p.Subscribe(ctx, "IceCandidateFound")
	require.ErrorIs(t, err, client.ErrEventNotSupported)
	// A failed subscribe leaves nothing behind: a retry subscribes again.
	_, err = p.Subscribe(ctx, "IceCandidateFound")
	require.ErrorIs(t, err, client.ErrEventNotSupported)
}

func TestSlowConsumerEndsSubscriptionLoudly(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	got := make(chan error, 1)
	c := dial(t, srv, client.WithEventBuffer(4), client.WithErrorHandler(func(err error) {
		select {
		case got <- err:
		default:
		}
	}))
	ctx := testCtx(t)
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	ch, err := p.Subscribe(ctx, "Error")
	require.NoError(t, err)
	for i := range 20 {
		require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"errorCode": i}))
	}
	require.ErrorIs(t, <-got, client.ErrSlowConsumer)
	n := 0
	for range ch {
		n++
	}
	assert.LessOrEqual(t, n, 5, "what was queued before the overflow is delivered, then the channel closes")
	// The connection is unaffected.
	require.NoError(t, p.Invoke(ctx, "getName", nil, nil))
}

func TestEventsKeepFlowingAfterResume(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv, client.WithBackoff(client.Backoff{Base: 10 * time.Millisecond}))
	ctx := testCtx(t)
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	ch, err := p.Subscribe(ctx, "Error")
	require.NoError(t, err)
	changes := c.StateChanges(ctx)
	srv.DropConnections()
	waitState(t, changes, rpc.Ready, rpc.ReasonResumed)
	require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"errorCode": 7}))
	ev := <-ch
	assert.Equal(t, "Error", ev.Type)
}

func TestHostileFramesAreSurvived(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv, client.WithReadLimit(4096))
	ctx := testCtx(t)
	for _, f := range []string{
		`not json`, `[1,2,3]`, `{"id":123456789,"jsonrpc":"2.0","result":{}}`, `{"id":"x","result":1}`,
		`{"jsonrpc":"2.0","method":"onEvent","params":{"value":{"object":1}}}`,
		`{"jsonrpc":"2.0","method":"somethingElse"}`, `{"jsonrpc":"2.0","id":5,"method":"serverRequest"}`,
		`{"id":null,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid JSON-RPC request."}}`,
		`{"id":1,"result":` + strings.Repeat(`"x",`, 5000) + `}`, // oversized: discarded
		``,
	} {
		srv.Inject([]byte(f))
	}
	var name string
	require.NoError(t, c.Invoke(ctx, client.ServerManagerID, "getName", nil, &name))
	assert.Equal(t, rpc.Ready, c.State())

	// A reply over the limit fails its own call, and only that call.
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	require.NoError(t, p.Invoke(ctx, "setName", map[string]string{"name": strings.Repeat("n", 8000)}, nil))
	err = p.Invoke(ctx, "getName", nil, &name)
	require.ErrorIs(t, err, rpc.ErrFrameTooLarge)
	require.NoError(t, p.Invoke(ctx, "setName", map[string]string{"name": "short"}, nil))
	require.NoError(t, p.Invoke(ctx, "getName", nil, &name))
	assert.Equal(t, "short", name)
}

func TestTransactionBuildsInOneRoundTrip(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	tx := c.Begin()
	p, err := tx.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	a, err := p.CreateObject(ctx, "PassThrough", map[string]any{"mediaPipeline": p})
	require.NoError(t, err)
	b, err := p.CreateObject(ctx, "PassThrough", map[string]any{"mediaPipeline": p})
	require.NoError(t, err)
	require.NoError(t, a.Invoke(ctx, "connect", map[string]any{"sink": b}, nil))
	require.NoError(t, a.Invoke(ctx, "setName", map[string]any{"name": "A"}, nil))
	var name string
	err = a.Invoke(ctx, "getName", nil, &name)
	require.ErrorIs(t, err, client.ErrPending, "a value that would only exist at commit is refused, not lost")
	assert.True(t, client.SafeToRetry(err))
	require.NoError(t, tx.Invoke(a, "getName", nil, &name), "the way to get it at commit")
	assert.Equal(t, "newref:1", a.ID())
	before := len(srv.Calls())
	require.NoError(t, tx.Commit(ctx))
	assert.Len(t, srv.Calls(), before+1, "one round trip")
	assert.Equal(t, "A", name)
	assert.True(t, strings.HasPrefix(a.ID(), p.ID()+"/"), a.ID())
	var conns []map[string]any
	require.NoError(t, a.Invoke(ctx, "getSinkConnections", nil, &conns))
	require.NotEmpty(t, conns)
	assert.Equal(t, b.ID(), conns[0]["sink"])

	tx2 := c.Begin()
	_, err = tx2.CreateObject(ctx, "PassThrough", map[string]any{"mediaPipeline": p})
	require.NoError(t, err)
	require.NoError(t, tx2.Invoke(p, "noSuchOp", nil, nil))
	late, err := tx2.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	err = tx2.Commit(ctx)
	var txe *client.TxError
	require.ErrorAs(t, err, &txe)
	assert.Equal(t, 1, txe.Index)
	assert.Equal(t, "invoke", txe.Method)
	assert.Equal(t, "noSuchOp", txe.Operation)
	require.ErrorIs(t, err, client.ErrMalformedTransaction)
	require.ErrorIs(t, late.Invoke(ctx, "getName", nil, nil), client.ErrNotCommitted)
	require.Error(t, tx2.Commit(ctx), "commits once")
}

func TestLateCreateReplyIsReleased(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	c := dial(t, srv)
	ctx := testCtx(t)
	srv.React("create", kurentotest.Reaction{Delay: 200 * time.Millisecond})
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err := c.CreateObject(cctx, "MediaPipeline", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	rel, err := srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "release" })
	require.NoError(t, err)
	created, err := srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "create" })
	require.NoError(t, err)
	assert.Contains(t, string(rel.Params), "MediaPipeline", "the orphan pipeline is released")
	assert.Equal(t, created.SessionID, rel.SessionID)
	assert.Len(t, srv.Objects(), 1, "only the ServerManager is left")
}
