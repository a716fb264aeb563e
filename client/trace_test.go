package client_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/rpc"
)

// recorder is a Tracer that keeps everything it sees.
type recorder struct {
	mu      sync.Mutex
	ends    []client.CallEnd
	resends []client.CallStart
	states  []rpc.StateChange
	lost    []client.SessionLost
	events  []client.EventTrace
	dropped chan client.EventTrace
	// resumed is closed once TraceStateChange saw a resume (StateChanges
	// subscribers may hear of it before the tracer does).
	resumed     chan struct{}
	resumedOnce sync.Once
	// ctxSeen is set when TraceCallEnd got the ctx TraceCallStart returned.
	ctxSeen int
}

type spanKey struct{}

func newRecorder() *recorder {
	return &recorder{dropped: make(chan client.EventTrace, 16), resumed: make(chan struct{})}
}

func (r *recorder) TraceCallStart(ctx context.Context, c client.CallStart) context.Context {
	return context.WithValue(ctx, spanKey{}, c.Method)
}

func (r *recorder) TraceCallResend(ctx context.Context, c client.CallStart) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resends = append(r.resends, c)
}

func (r *recorder) TraceCallEnd(ctx context.Context, c client.CallEnd) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ctx.Value(spanKey{}) == c.Method {
		r.ctxSeen++
	}
	r.ends = append(r.ends, c)
}

func (r *recorder) TraceStateChange(sc rpc.StateChange) {
	r.mu.Lock()
	r.states = append(r.states, sc)
	r.mu.Unlock()
	if sc.Reason == rpc.ReasonResumed {
		r.resumedOnce.Do(func() { close(r.resumed) })
	}
}

func (r *recorder) TraceSessionLost(l client.SessionLost) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lost = append(r.lost, l)
}

func (r *recorder) TraceEvent(ev client.EventTrace) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	if ev.Outcome == client.EventDropped {
		r.dropped <- ev
	}
}

func (r *recorder) callEnds(method, operation string) []client.CallEnd {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []client.CallEnd
	for _, e := range r.ends {
		if e.Method == method && (operation == "" || e.Operation == operation) {
			out = append(out, e)
		}
	}
	return out
}

func TestWithTracerRejectsNil(t *testing.T) {
	t.Parallel()
	_, err := client.Dial(testCtx(t), "ws://127.0.0.1:1/kurento", client.WithTracer(nil))
	require.Error(t, err)
}

func TestTracerSeesEveryCall(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	rec := newRecorder()
	c := dial(t, srv, client.WithTracer(rec))
	ctx := testCtx(t)

	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	require.NoError(t, p.Invoke(ctx, "getName", nil, nil))
	err = p.Invoke(ctx, "noSuchOperation", nil, nil)
	require.Error(t, err)
	_, err = p.Subscribe(ctx, "Error")
	require.NoError(t, err)

	creates := rec.callEnds("create", "")
	require.Len(t, creates, 1)
	assert.Equal(t, "MediaPipeline", creates[0].Class)
	require.NoError(t, creates[0].Err)
	assert.Positive(t, creates[0].Duration)
	assert.False(t, creates[0].Start.IsZero())

	names := rec.callEnds("invoke", "getName")
	require.Len(t, names, 1)
	assert.Equal(t, p.ID(), names[0].ObjectID)
	assert.Equal(t, "MediaPipeline", names[0].Class, "class read from the id")
	assert.Zero(t, names[0].Code)
	assert.Zero(t, names[0].Resent)

	bad := rec.callEnds("invoke", "noSuchOperation")
	require.Len(t, bad, 1)
	// KMS answers an unknown operation with 40008 (PROTOCOL.md §5.4).
	require.ErrorIs(t, bad[0].Err, client.ErrMalformedTransaction)
	assert.Equal(t, client.CodeMalformedTransaction, bad[0].Code)

	subs := rec.callEnds("subscribe", "")
	require.Len(t, subs, 1)
	assert.Equal(t, "Error", subs[0].EventType)

	rec.mu.Lock()
	assert.Equal(t, len(rec.ends), rec.ctxSeen, "TraceCallEnd gets the ctx TraceCallStart returned")
	rec.mu.Unlock()
}

func TestTracerSeesResendAndStates(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	rec := newRecorder()
	c := dial(t, srv, client.WithTracer(rec), client.WithBackoff(client.Backoff{Base: 10 * time.Millisecond}))
	ctx := testCtx(t)
	changes := c.StateChanges(ctx)
	srv.React("create", kurentotest.Reaction{Delay: 300 * time.Millisecond})
	go func() {
		_, _ = srv.WaitCall(ctx, func(c kurentotest.Call) bool { return c.Method == "create" })
		srv.DropConnections()
	}()
	_, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	waitState(t, changes, rpc.Ready, rpc.ReasonResumed)
	<-rec.resumed

	creates := rec.callEnds("create", "")
	require.Len(t, creates, 1)
	assert.Equal(t, 1, creates[0].Resent)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.Len(t, rec.resends, 1)
	assert.Equal(t, "create", rec.resends[0].Method)
	var reasons []rpc.Reason
	for _, sc := range rec.states {
		reasons = append(reasons, sc.Reason)
	}
	assert.Equal(t, []rpc.Reason{rpc.ReasonDialed, rpc.ReasonSocketLost, rpc.ReasonResumed}, reasons)
}

func TestTracerSeesSessionLoss(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	rec := newRecorder()
	c := dial(t, srv, client.WithTracer(rec), client.WithBackoff(client.Backoff{Base: 10 * time.Millisecond}))
	ctx := testCtx(t)
	old := c.SessionID()
	changes := c.StateChanges(ctx)
	srv.Restart()
	waitState(t, changes, rpc.Ready, rpc.ReasonSessionLost)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.Len(t, rec.lost, 1)
	assert.Equal(t, old, rec.lost[0].OldSessionID)
	assert.Equal(t, c.SessionID(), rec.lost[0].NewSessionID)
	assert.Equal(t, srv.ServerID(), rec.lost[0].ServerID)
	assert.NotEmpty(t, rec.lost[0].Cause)
}

func TestTracerSeesEventsDeliveredAndDropped(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	rec := newRecorder()
	c := dial(t, srv, client.WithTracer(rec), client.WithEventBuffer(4))
	ctx := testCtx(t)
	p, err := c.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	ch, err := p.Subscribe(ctx, "Error")
	require.NoError(t, err)

	for i := range 3 {
		require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"errorCode": i}))
		<-ch
	}
	rec.mu.Lock()
	require.Len(t, rec.events, 3)
	for _, ev := range rec.events {
		assert.Equal(t, client.EventDelivered, ev.Outcome)
		assert.Equal(t, p.ID(), ev.ObjectID)
		assert.Equal(t, "Error", ev.Type)
		assert.Equal(t, 1, ev.Count)
	}
	rec.mu.Unlock()

	// Unread, the buffer of 4 overflows: the subscription ends and the
	// tracer hears of the loss.
	for i := range 20 {
		require.NoError(t, srv.Emit(p.ID(), "Error", map[string]any{"errorCode": i}))
	}
	drop := <-rec.dropped
	require.ErrorIs(t, drop.Err, client.ErrSlowConsumer)
	assert.Positive(t, drop.Count)
	assert.Equal(t, "Error", drop.Type)
	for range ch { // drain until the subscription's channel closes
	}
}

func TestTracerSeesTransactionsAsOneCall(t *testing.T) {
	t.Parallel()
	srv := kurentotest.NewServer(t)
	rec := newRecorder()
	c := dial(t, srv, client.WithTracer(rec))
	ctx := testCtx(t)
	tx := c.Begin()
	p, err := tx.CreateObject(ctx, "MediaPipeline", nil)
	require.NoError(t, err)
	_, err = p.CreateObject(ctx, "PassThrough", map[string]any{"mediaPipeline": p})
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	txs := rec.callEnds("transaction", "")
	require.Len(t, txs, 1)
	assert.Equal(t, 2, txs[0].Ops)
	assert.Empty(t, rec.callEnds("create", ""), "the batched creates are not calls of their own")
}
