package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/rpc"
)

// chaosOffer is the smallest SDP offer the fake negotiates.
const chaosOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"

// chaosStats gathers the figures of a chaos run.
type chaosStats struct {
	calls, overdue             atomic.Int64
	drops, restarts, delays    atomic.Int64
	bursts, burstEvents        atomic.Int64
	burstsAcrossResume         atomic.Int64
	freeEvents, freeEmitted    atomic.Int64
	gatherEvents, subsEndedEOF atomic.Int64

	mu       sync.Mutex
	byKind   map[string]int
	worstLag time.Duration
}

// chaosKind classifies the outcome of one call; "unexpected" fails the run.
func chaosKind(err error) string {
	code, answered := client.CodeOf(err)
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, client.ErrSessionLost):
		return "session_lost"
	case errors.Is(err, client.ErrConnectionLost):
		return "connection_lost"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline"
	case errors.Is(err, context.Canceled):
		// Calls run under their own deadline only; the one ctx that is
		// cancelled is the run's, which the free stream subscribes with, so
		// the run ending mid-subscribe lands here.
		return "run_ended"
	case answered:
		return "server_" + strconv.Itoa(int(code))
	}
	return "unexpected"
}

// op runs one call under its own deadline and checks it returned in time
// with a result or a typed error.
func (st *chaosStats) op(parent context.Context, t *testing.T, name string, d time.Duration, f func(ctx context.Context) error) error {
	t.Helper()
	// The run's end must not cancel calls in flight: only their deadline
	// bounds them.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), d)
	defer cancel()
	start := time.Now()
	err := f(ctx)
	took := time.Since(start)
	st.calls.Add(1)
	kind := chaosKind(err)
	// Returning is checked against the deadline plus scheduling slack (the
	// race detector on two cores).
	const slack = 1500 * time.Millisecond
	st.mu.Lock()
	st.byKind[kind]++
	if kind != "ok" {
		st.byKind[kind+"@"+name]++
	}
	st.worstLag = max(st.worstLag, took-d)
	st.mu.Unlock()
	if took > d+slack {
		st.overdue.Add(1)
		t.Errorf("%s returned %v after its %v deadline (err %v)", name, took-d, d, err)
	}
	if kind == "unexpected" {
		t.Errorf("%s: untyped error: %v", name, err)
	}
	return err
}

// chaosClient is one client of the run and what its state watcher counted.
type chaosClient struct {
	c                           *client.Client
	reconnecting, resumes, lost atomic.Int64
	watched                     chan struct{}
}

// TestChaos runs a realistic workload from several clients while sockets
// drop at random moments, replies are delayed and the server restarts
// twice. It checks:
//
//   - every call returns within its deadline (plus slack) with a result or
//     a typed error: ErrSessionLost, ErrConnectionLost, a server *Error or
//     context.DeadlineExceeded;
//   - no request runs twice on the server: per (session, request id) at
//     most one call log entry not answered from the reply cache;
//   - events on resumed sessions: a "verified" subscription per client gets
//     bursts of sequence-numbered events. A burst is emitted only while no
//     drop or restart can happen (the injector waits for it) and after a
//     call succeeded on the current socket, so the session is bound and KMS
//     delivers every event. Across any number of drops that resume the
//     session, the same channel must deliver every burst event exactly once
//     and in order, with no gap between bursts; when the session is lost the
//     channel must close. A second, "free" stream is emitted without any
//     coordination, so drops hit it mid-stream: KMS may lose events while no
//     socket is bound, but what arrives must be strictly increasing (never
//     duplicated, never reordered);
//   - after Close, no object on the server is owned only by closed sessions
//     (goleak in TestMain checks that no goroutine is left).
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos run takes about 20 s")
	}
	const (
		nClients  = 4
		nWorkers  = 5
		runFor    = 9 * time.Second
		opTimeout = 3 * time.Second
	)
	srv := kurentotest.NewServer(t)
	st := &chaosStats{byKind: map[string]int{}}
	clients := dialChaosClients(t, srv, nClients, opTimeout)
	closed := false
	t.Cleanup(func() {
		if !closed {
			for _, cc := range clients {
				_ = cc.c.Close()
			}
		}
	})

	runChaos(t, st, srv, clients, nWorkers, runFor, opTimeout)

	// Quiet server: every client must come back Ready on its own.
	srv.ClearReactions()
	sessions := map[string]bool{}
	for _, cc := range clients {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		err := cc.c.Invoke(ctx, client.ServerManagerID, "getName", nil, nil)
		cancel()
		require.NoError(t, err, "client usable after the chaos")
		sessions[cc.c.SessionID()] = true
	}
	closed = true
	for _, cc := range clients {
		require.NoError(t, cc.c.Close())
		<-cc.watched
	}

	executed, cached := checkRanOnce(t, srv)
	checkNoOrphans(t, srv, sessions)
	resumes := reportChaos(t, st, clients, nWorkers, runFor, executed, cached)

	assert.Equal(t, int64(2), st.restarts.Load())
	assert.Positive(t, st.drops.Load())
	assert.Positive(t, resumes)
	assert.Positive(t, st.burstsAcrossResume.Load(), "some bursts were verified across a resume")
	assert.Zero(t, st.overdue.Load())
}

// dialChaosClients connects n clients to srv, each watched for its state
// changes. The first does not resend: its requests in flight across a
// drop fail with ErrConnectionLost instead.
func dialChaosClients(t *testing.T, srv *kurentotest.Server, n int, opTimeout time.Duration) []*chaosClient {
	t.Helper()
	clients := make([]*chaosClient, n)
	for i := range clients {
		opts := []client.Option{
			client.WithBackoff(client.Backoff{Base: 5 * time.Millisecond, Max: 100 * time.Millisecond}),
			client.WithCallTimeout(opTimeout),
			client.WithErrorHandler(func(err error) { t.Errorf("background failure: %v", err) }),
		}
		if i == 0 {
			opts = append(opts, client.WithResendWindow(time.Millisecond))
		}
		c, err := client.Dial(testCtx(t), srv.URL(), opts...)
		require.NoError(t, err)
		cc := &chaosClient{c: c, watched: make(chan struct{})}
		changes := c.StateChanges(context.WithoutCancel(t.Context())) // ends with Close
		go cc.watch(changes)
		clients[i] = cc
	}
	return clients
}

// watch counts the state changes of cc's client until its channel closes.
func (cc *chaosClient) watch(changes <-chan rpc.StateChange) {
	defer close(cc.watched)
	for sc := range changes {
		switch {
		case sc.State == rpc.Reconnecting:
			cc.reconnecting.Add(1)
		case sc.State == rpc.Ready && sc.Reason == rpc.ReasonResumed:
			cc.resumes.Add(1)
		case sc.State == rpc.Ready && sc.Reason == rpc.ReasonSessionLost:
			cc.lost.Add(1)
		}
	}
}

// runChaos runs the workers, the verified and free event streams of every
// client and the injector, and returns once they all stopped.
func runChaos(t *testing.T, st *chaosStats, srv *kurentotest.Server, clients []*chaosClient, nWorkers int, runFor, opTimeout time.Duration) {
	t.Helper()
	// gate: the injector holds it to drop or restart; verified bursts hold
	// it for reading, so no drop happens during one.
	var gate sync.RWMutex
	// The run lasts runFor and until both restarts happened: on a loaded
	// machine the injector may be late, and the assertions count on two
	// restarts, each seen by every client. The cap only bounds a hang.
	runCtx, stop := context.WithTimeout(t.Context(), 10*runFor)
	defer stop()
	// settled reports whether every client saw the session loss of each of
	// the first n restarts, so that two restarts never merge into one loss.
	settled := func(n int64) bool {
		for _, cc := range clients {
			if cc.lost.Load() < n {
				return false
			}
		}
		return true
	}
	var wg sync.WaitGroup
	for _, cc := range clients {
		for w := range nWorkers {
			wg.Go(func() { chaosWorker(runCtx, t, st, cc.c, w) })
		}
		wg.Go(func() { chaosVerified(runCtx, t, st, &gate, srv, cc) })
		wg.Go(func() { chaosFree(runCtx, t, st, srv, cc.c) })
	}
	wg.Go(func() { chaosInjector(runCtx, st, &gate, srv, runFor, settled, stop) })

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	<-runCtx.Done()
	watchdog := time.NewTimer(3*opTimeout + 5*time.Second)
	defer watchdog.Stop()
	select {
	case <-done:
	case <-watchdog.C:
		require.FailNow(t, "workers still blocked long after every deadline")
	}
}

// checkRanOnce checks at most one execution per (session, request id) and
// returns how many requests ran and how many were answered from the reply
// cache.
func checkRanOnce(t *testing.T, srv *kurentotest.Server) (executed, cached int) {
	t.Helper()
	ran := map[string]int{}
	for _, c := range srv.Calls() {
		if c.ID == "" {
			continue
		}
		if c.Cached {
			cached++
			continue
		}
		ran[c.SessionID+"|"+c.ID]++
	}
	for k, n := range ran {
		assert.Equal(t, 1, n, "request %s executed %d times", k, n)
	}
	return len(ran), cached
}

// checkNoOrphans checks that no object is left owned only by closed
// sessions.
func checkNoOrphans(t *testing.T, srv *kurentotest.Server, sessions map[string]bool) {
	t.Helper()
	for _, o := range srv.Objects() {
		if o.ID == client.ServerManagerID {
			continue
		}
		orphan := true
		for _, s := range o.Owners {
			orphan = orphan && sessions[s]
		}
		assert.False(t, orphan, "object %s (%s) left, owned only by closed sessions %v", o.ID, o.Type, o.Owners)
	}
}

// reportChaos checks one session loss per restart on every client, logs
// the run's figures and returns the number of resumes seen.
func reportChaos(t *testing.T, st *chaosStats, clients []*chaosClient, nWorkers int, runFor time.Duration, executed, cached int) (resumes int64) {
	t.Helper()
	var lost, reconnecting int64
	for _, cc := range clients {
		resumes += cc.resumes.Load()
		lost += cc.lost.Load()
		reconnecting += cc.reconnecting.Load()
		assert.Equal(t, st.restarts.Load(), cc.lost.Load(), "one session loss per restart")
	}
	st.mu.Lock()
	kinds := slices.Sorted(maps.Keys(st.byKind))
	var byKind strings.Builder
	for _, k := range kinds {
		fmt.Fprintf(&byKind, " %s=%d", k, st.byKind[k])
	}
	worst := st.worstLag
	st.mu.Unlock()
	t.Logf("chaos: %d clients × %d workers for %v: %d calls (%d frames executed, %d answered from the reply cache)",
		len(clients), nWorkers, runFor, st.calls.Load(), executed, cached)
	t.Logf("chaos: injected %d drops, %d delayed replies, %d restarts; clients saw %d reconnects, %d resumes, %d session losses",
		st.drops.Load(), st.delays.Load(), st.restarts.Load(), reconnecting, resumes, lost)
	t.Logf("chaos: outcomes:%s; worst return after deadline %v", byKind.String(), worst)
	t.Logf("chaos: verified %d bursts (%d events, %d bursts right after a resume on the same channel); free stream %d/%d events arrived in order; %d ICE events",
		st.bursts.Load(), st.burstEvents.Load(), st.burstsAcrossResume.Load(), st.freeEvents.Load(), st.freeEmitted.Load(), st.gatherEvents.Load())
	return resumes
}

// chaosInjector drops sockets and delays replies at random moments, and
// restarts the server at one and two thirds of the run (the second one only
// once every client saw the first session loss). It ends the run with
// finish once runFor has passed and both restarts happened.
func chaosInjector(ctx context.Context, st *chaosStats, gate *sync.RWMutex, srv *kurentotest.Server, runFor time.Duration, settled func(int64) bool, finish func()) {
	start := time.Now()
	methods := []string{"create", "processOffer", "connect", "subscribe", "release", "transaction", "gatherCandidates"}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		elapsed := time.Since(start)
		n := st.restarts.Load()
		if n == 2 && elapsed >= runFor {
			finish()
			return
		}
		if n < 2 && elapsed > time.Duration(n+1)*runFor/3 && settled(n) {
			gate.Lock()
			srv.Restart()
			gate.Unlock()
			st.restarts.Add(1)
		} else if rand.IntN(10) < 6 {
			gate.Lock()
			srv.DropConnections()
			gate.Unlock()
			st.drops.Add(1)
		} else {
			delay := time.Duration(20+rand.IntN(400)) * time.Millisecond
			if rand.IntN(10) == 0 {
				delay = 3500 * time.Millisecond // past the callers' deadline
			}
			srv.React(methods[rand.IntN(len(methods))], kurentotest.Reaction{
				Delay: delay,
				Times: 1 + rand.IntN(3),
			})
			st.delays.Add(1)
		}
		t.Reset(time.Duration(40+rand.IntN(220)) * time.Millisecond)
	}
}

// chaosWorker builds and tears down pipelines the way an application does.
func chaosWorker(run context.Context, t *testing.T, st *chaosStats, c *client.Client, w int) {
	t.Helper()
	const d = 3 * time.Second
	for i := 0; run.Err() == nil; i++ {
		var p, a, b *client.Object
		if (i+w)%3 == 0 { // one round trip through a transaction
			tx := c.Begin()
			p, _ = tx.CreateObject(run, "MediaPipeline", nil)
			a, _ = p.CreateObject(run, "WebRtcEndpoint", map[string]any{"mediaPipeline": p})
			b, _ = p.CreateObject(run, "WebRtcEndpoint", map[string]any{"mediaPipeline": p})
			_ = a.Invoke(run, "connect", map[string]any{"sink": b}, nil)
			if st.op(run, t, "commit", d, tx.Commit) != nil {
				continue
			}
		} else {
			err := st.op(run, t, "create pipeline", d, func(ctx context.Context) (err error) {
				p, err = c.CreateObject(ctx, "MediaPipeline", nil)
				return err
			})
			if err != nil {
				continue
			}
			err = st.op(run, t, "create endpoint", d, func(ctx context.Context) (err error) {
				a, err = p.CreateObject(ctx, "WebRtcEndpoint", map[string]any{"mediaPipeline": p})
				return err
			})
			if err == nil {
				err = st.op(run, t, "create endpoint", d, func(ctx context.Context) (err error) {
					b, err = p.CreateObject(ctx, "WebRtcEndpoint", map[string]any{"mediaPipeline": p})
					return err
				})
			}
			if err == nil {
				err = st.op(run, t, "connect", d, func(ctx context.Context) error {
					return a.Invoke(ctx, "connect", map[string]any{"sink": b}, nil)
				})
			}
			if err != nil {
				_ = st.op(run, t, "release", d, p.Release)
				continue
			}
		}
		subCtx, endSub := context.WithCancel(context.WithoutCancel(run))
		var done <-chan event.Raw
		err := st.op(run, t, "subscribe", d, func(ctx context.Context) error {
			// The subscription lives for the iteration; ctx bounds its
			// acknowledgement only through the deadline check above.
			ch, err := a.Subscribe(subCtx, "IceGatheringDone")
			done = ch
			return err
		})
		_ = st.op(run, t, "processOffer", d, func(ctx context.Context) error {
			var answer string
			err := a.Invoke(ctx, "processOffer", map[string]any{"offer": chaosOffer}, &answer)
			if err == nil && !strings.HasPrefix(answer, "v=0") {
				return fmt.Errorf("answer is not SDP: %q", answer)
			}
			return err
		})
		if st.op(run, t, "gatherCandidates", d, func(ctx context.Context) error {
			return a.Invoke(ctx, "gatherCandidates", nil, nil)
		}) == nil && err == nil {
			// The event follows the reply unless a drop loses it: wait a
			// little, never fail on it.
			wait := time.NewTimer(300 * time.Millisecond)
			select {
			case _, ok := <-done:
				if ok {
					st.gatherEvents.Add(1)
				} else {
					st.subsEndedEOF.Add(1)
				}
			case <-wait.C:
			}
			wait.Stop()
		}
		_ = st.op(run, t, "release", d, p.Release)
		endSub()
	}
}

type seqData struct {
	ErrorCode int64 `json:"errorCode"`
}

func seqOf(t *testing.T, ev event.Raw) int64 {
	t.Helper()
	var d seqData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		t.Errorf("event data: %v", err)
	}
	return d.ErrorCode
}

// chaosVerified emits bursts while the injector is held off and checks
// that one subscription per session gets all of them, in order, across
// resumes.
func chaosVerified(run context.Context, t *testing.T, st *chaosStats, gate *sync.RWMutex, srv *kurentotest.Server, cc *chaosClient) {
	t.Helper()
	const burst = 16
	c := cc.c
	var (
		obj        *client.Object
		ch         <-chan event.Raw
		session    string
		next       int64
		lastResume int64
		endSub     context.CancelFunc = func() {}
	)
	defer func() { endSub() }()
	pace := time.NewTimer(0)
	defer pace.Stop()
	for {
		select {
		case <-run.Done():
			return
		case <-pace.C:
		}
		pace.Reset(time.Duration(10+rand.IntN(40)) * time.Millisecond)
		gate.RLock()
		func() {
			defer gate.RUnlock()
			// A call that succeeds now went through the current socket,
			// which the session is bound to; no drop can follow until
			// RUnlock.
			if st.op(run, t, "probe", 5*time.Second, func(ctx context.Context) error {
				return c.Invoke(ctx, client.ServerManagerID, "getName", nil, nil)
			}) != nil {
				return
			}
			// The session id may survive a loss (KMS inserts the socket's
			// bound id into connect), so loss is told by the handle: a call
			// on an object of a lost session fails with ErrSessionLost.
			lost := obj == nil
			if obj != nil {
				err := st.op(run, t, "verified probe", 5*time.Second, func(ctx context.Context) error {
					return obj.Invoke(ctx, "getName", nil, nil)
				})
				if err != nil && !errors.Is(err, client.ErrSessionLost) {
					return
				}
				lost = err != nil
			}
			if lost {
				if ch != nil { // the session was lost: the old channel must end
					drainClosed(t, ch, &next)
				}
				endSub()
				ch, obj = nil, nil
				subCtx, cancel := context.WithCancel(context.WithoutCancel(run))
				err := st.op(run, t, "verified subscribe", 5*time.Second, func(ctx context.Context) error {
					var err error
					if obj, err = c.CreateObject(ctx, "MediaPipeline", nil); err != nil {
						return err
					}
					ch, err = obj.Subscribe(subCtx, "Error")
					return err
				})
				if err != nil {
					cancel()
					ch = nil
					return
				}
				endSub, session, next = cancel, c.SessionID(), 0
				lastResume = cc.resumes.Load()
			}
			for i := range int64(burst) {
				if err := srv.Emit(obj.ID(), "Error", seqData{ErrorCode: next + i}); err != nil {
					_, exists := srv.Object(obj.ID())
					t.Errorf("emit on the verified object of session %s (client at %s, server %s/%s, lost %d, object exists %v): %v",
						session, c.SessionID(), c.ServerID(), srv.ServerID(), cc.lost.Load(), exists, err)
					endSub()
					ch, obj = nil, nil
					return
				}
			}
			if !receiveSeq(t, ch, &next, burst) {
				endSub() // start over on a fresh subscription
				ch, obj = nil, nil
				return
			}
			st.bursts.Add(1)
			st.burstEvents.Add(burst)
			if r := cc.resumes.Load(); r != lastResume && next > burst {
				st.burstsAcrossResume.Add(1)
				lastResume = r
			}
		}()
	}
}

// receiveSeq reads n events that must carry *next, *next+1, ... in order.
func receiveSeq(t *testing.T, ch <-chan event.Raw, next *int64, n int) bool {
	t.Helper()
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	for range n {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Errorf("verified subscription closed while its session stayed, expecting event %d", *next)
				return false
			}
			if got := seqOf(t, ev); got != *next {
				t.Errorf("verified subscription got event %d, want %d (lost, duplicated or reordered)", got, *next)
				return false
			}
			*next++
		case <-timer.C:
			t.Errorf("verified subscription: event %d not delivered within 5 s", *next)
			return false
		}
	}
	return true
}

// drainClosed checks that a subscription of a lost session ends, and that
// what it still delivers continues its sequence.
func drainClosed(t *testing.T, ch <-chan event.Raw, next *int64) {
	t.Helper()
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			if got := seqOf(t, ev); got != *next {
				t.Errorf("lost session's subscription delivered event %d, want %d", got, *next)
			}
			*next++
		case <-timer.C:
			t.Errorf("subscription of a lost session still open after 5 s")
			return
		}
	}
}

// chaosFree emits a sequence without any coordination with the injector
// and checks that what arrives is strictly increasing.
func chaosFree(run context.Context, t *testing.T, st *chaosStats, srv *kurentotest.Server, c *client.Client) {
	t.Helper()
	var target atomic.Pointer[string]
	var seq atomic.Int64
	var emitter sync.WaitGroup
	defer emitter.Wait()
	emitter.Go(func() {
		pace := time.NewTimer(0)
		defer pace.Stop()
		for {
			select {
			case <-run.Done():
				return
			case <-pace.C:
			}
			if id := target.Load(); id != nil {
				for range 4 {
					// Fails for an object of a lost session: ignored.
					if srv.Emit(*id, "Error", seqData{ErrorCode: seq.Add(1)}) == nil {
						st.freeEmitted.Add(1)
					}
				}
			}
			pace.Reset(2 * time.Millisecond)
		}
	})
	last := int64(-1)
	retry := time.NewTimer(0)
	defer retry.Stop()
	for run.Err() == nil {
		var ch <-chan event.Raw
		err := st.op(run, t, "free subscribe", 3*time.Second, func(ctx context.Context) error {
			p, err := c.CreateObject(ctx, "MediaPipeline", nil)
			if err != nil {
				return err
			}
			if ch, err = p.Subscribe(run, "Error"); err != nil {
				return err
			}
			id := p.ID()
			target.Store(&id)
			return nil
		})
		if err != nil {
			retry.Reset(10 * time.Millisecond)
			select {
			case <-run.Done():
			case <-retry.C:
			}
			continue
		}
		// Ends when the session is lost or the run ends.
		for ev := range ch {
			got := seqOf(t, ev)
			if got <= last {
				t.Errorf("free stream: event %d after %d (duplicated or reordered)", got, last)
			}
			last = got
			st.freeEvents.Add(1)
		}
	}
}
