package pool

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/pipeline"
	"github.com/gokurento/kurento/rpc"
)

// member is one server of the pool. Its one long-lived goroutine owns the
// client: it dials, watches the client's state, gives the session up when
// the server stays unreachable, and keeps the load; the I/O of load reads and
// subscriptions runs on short-lived goroutines that report back to it.
// Fields below the line are guarded by Pool.mu.
type member struct {
	p      *Pool
	url    string
	ctx    context.Context //nolint:containedctx // the member's lifetime, cancelled when it leaves the pool
	cancel context.CancelFunc
	kick   chan struct{} // a placement asks for a fresh load read

	settleOnce sync.Once
	settled    chan struct{} // closed after the first dial failed or the first load read

	weight     float64
	c          *client.Client // nil while dialing
	serverID   string
	state      State
	gen        int  // counts sessions: a load read of an older one is dropped
	loaded     bool // a load read of the current session succeeded
	listed     bool // the pipelines of the current session are known
	load       Load // CPU and memory; Pipelines comes from pipes
	pipes      map[string]struct{}
	tomb       map[string]struct{} // pipelines destroyed before their ObjectCreated was read
	placed     int                 // keys placed whose pipeline has not shown up yet
	placedTick int                 // placed at the last refresh tick
	draining   bool
	removed    bool // gone from discovery
	keys       map[string]*entry
}

// startMember adds a server and starts its goroutine. Called with p.mu held.
func (p *Pool) startMember(url string, weight float64) *member {
	ctx, cancel := context.WithCancel(p.life)
	m := &member{
		p: p, url: url, ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1),
		weight: weight, keys: map[string]*entry{}, settled: make(chan struct{}),
		pipes: map[string]struct{}{},
	}
	p.members[url] = m
	p.log.Info("server joined", "url", url)
	p.wg.Go(m.run)
	return m
}

func (m *member) stop() { m.cancel() }

func (m *member) settle() { m.settleOnce.Do(func() { close(m.settled) }) }

// ready reports whether m may take new keys as far as its health goes.
// Called with p.mu held.
func (m *member) ready() bool {
	return m.c != nil && m.state == StateReady && m.loaded && m.listed
}

// candidate is what the Policy sees of m. Called with p.mu held.
func (m *member) candidate() Candidate {
	l := m.load
	l.Pipelines = len(m.pipes) + m.placed
	return Candidate{URL: m.url, ServerID: m.serverID, Weight: m.weight, Load: l, Keys: len(m.keys)}
}

func (m *member) kickRefresh() {
	select {
	case m.kick <- struct{}{}:
	default: // a read is already asked for
	}
}

func (m *member) run() {
	defer m.settle()
	p := m.p
	log := p.log.With("url", m.url)
	for attempt := 0; ; {
		dctx, cancel := context.WithTimeout(m.ctx, p.set.dialTimeout)
		c, err := p.set.dial(dctx, m.url)
		cancel()
		if err != nil {
			if m.ctx.Err() != nil {
				return
			}
			log.Warn("dial failed", "attempt", attempt, "err", err)
			m.settle()
			t := time.NewTimer(p.set.redial.Delay(attempt, nil))
			select {
			case <-m.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			attempt++
			continue
		}
		attempt = 0
		m.serve(c, log)
		_ = c.Close()
		if m.ctx.Err() != nil {
			return
		}
	}
}

// serve watches one client until the member stops or the pool gives the
// session up.
func (m *member) serve(c *client.Client, log *slog.Logger) {
	p := m.p
	ctx, cancel := context.WithCancel(m.ctx)
	changes := c.StateChanges(ctx)
	p.mu.Lock()
	m.c, m.serverID, m.loaded = c, c.ServerID(), false
	m.resetPipes()
	m.gen++
	m.state = StateReady
	p.broadcast()
	p.mu.Unlock()
	log.Info("server connected", "server_id", c.ServerID())

	w := &watcher{
		m: m, c: c, ctx: ctx, log: log,
		loads: make(chan loadResult, 1), watches: make(chan watch, 1),
	}
	defer func() {
		cancel()
		w.io.Wait()
		p.mu.Lock()
		m.c, m.state, m.loaded = nil, StateDialing, false
		m.resetPipes()
		p.broadcast()
		p.mu.Unlock()
	}()

	lost := time.NewTimer(p.set.lostAfter)
	lost.Stop()
	defer lost.Stop()
	var lostC <-chan time.Time
	reconnecting := func() {
		p.mu.Lock()
		m.state = StateReconnecting
		p.broadcast()
		p.mu.Unlock()
		if lostC == nil {
			lost.Reset(p.set.lostAfter)
			lostC = lost.C
		}
	}
	// A change between Dial and StateChanges is not replayed: look once.
	if c.State() != rpc.Ready {
		reconnecting()
	}
	giveUp := func(err error) {
		p.mu.Lock()
		p.failover(m, m.serverID, ReasonUnreachable, err)
		p.mu.Unlock()
	}
	tick := time.NewTicker(p.set.refresh.Interval)
	defer tick.Stop()
	retry := time.NewTimer(0)
	retry.Stop()
	defer retry.Stop()
	var retryC <-chan time.Time
	w.readLoad()
	w.subscribe()
	for {
		select {
		case <-ctx.Done():
			return
		case <-lostC:
			giveUp(fmt.Errorf("pool: %s unreachable for %v", m.url, p.set.lostAfter))
			return
		case ch, ok := <-changes:
			if !ok {
				if m.ctx.Err() == nil {
					giveUp(client.ErrClosed)
				}
				return
			}
			switch ch.State {
			case rpc.Reconnecting:
				reconnecting()
			case rpc.Ready:
				lost.Stop()
				lostC = nil
				p.mu.Lock()
				if ch.Reason == rpc.ReasonSessionLost {
					p.failover(m, m.serverID, ReasonSessionLost, ch.Err)
					m.serverID, m.loaded = c.ServerID(), false
					m.resetPipes()
					m.gen++
				}
				m.state = StateReady
				p.broadcast()
				p.mu.Unlock()
				w.readLoad()
			case rpc.Closed:
				giveUp(ch.Err)
				return
			default: // Connecting happens only before Dial returns
			}
		case <-tick.C:
			m.decayPlaced()
			w.readLoad()
		case <-m.kick:
			w.readLoad()
		case r := <-w.loads:
			w.loaded(r)
		case res := <-w.watches:
			if !w.watched(res) {
				// Subscribing or listing failed, or the session changed
				// meanwhile: try again after a pause.
				retry.Reset(p.set.redial.Delay(w.attempt, nil))
				retryC = retry.C
				w.attempt++
			}
		case <-retryC:
			retryC = nil
			w.subscribe()
		case ev, ok := <-w.created:
			if !ok {
				w.unwatch()
				retry.Reset(p.set.redial.Delay(0, nil))
				retryC = retry.C
				continue
			}
			w.pipelineCreated(ev.Object)
		case ev, ok := <-w.destroyed:
			if !ok {
				w.unwatch()
				retry.Reset(p.set.redial.Delay(0, nil))
				retryC = retry.C
				continue
			}
			w.pipelineDestroyed(ev.ObjectId)
		}
	}
}

// watcher is the state of serve's loop for one client: the load read and
// the pipeline subscription in flight or running. Only serve's goroutine
// uses it; results come back on loads and watches.
type watcher struct {
	m   *member
	c   *client.Client
	ctx context.Context //nolint:containedctx // serve's lifetime for this client
	log *slog.Logger
	io  sync.WaitGroup // the short-lived I/O goroutines

	loads          chan loadResult
	reading, again bool

	watches   chan watch
	attempt   int
	created   <-chan event.ObjectCreated
	destroyed <-chan event.ObjectDestroyed
	stop      context.CancelFunc // ends the running subscription
}

type loadResult struct {
	l   Load
	err error
	gen int
}

// watch is the outcome of subscribing to the ServerManager's object events
// and then listing the pipelines.
type watch struct {
	created   <-chan event.ObjectCreated
	destroyed <-chan event.ObjectDestroyed
	listed    []*pipeline.MediaPipeline
	err       error
	gen       int
	stop      context.CancelFunc
}

// readLoad starts a read of CPU and memory, or asks for another one after
// the read in flight.
func (w *watcher) readLoad() {
	if w.reading {
		w.again = true
		return
	}
	w.reading = true
	p := w.m.p
	p.mu.Lock()
	gen := w.m.gen
	p.mu.Unlock()
	w.io.Go(func() {
		ctx, cancel := context.WithTimeout(w.ctx, p.set.refresh.Timeout)
		defer cancel()
		l, err := readLoad(ctx, w.c, p.set.refresh.CPUWindow)
		w.loads <- loadResult{l: l, err: err, gen: gen} // one in flight: never blocks
	})
}

func (w *watcher) loaded(r loadResult) {
	w.reading = false
	defer func() {
		if w.again {
			w.again = false
			w.readLoad()
		}
	}()
	if r.err != nil {
		if w.ctx.Err() == nil {
			w.log.Warn("load read failed", "err", r.err)
		}
		return
	}
	m := w.m
	m.p.mu.Lock()
	defer m.p.mu.Unlock()
	if m.gen != r.gen {
		return // read from a session that is gone
	}
	m.load.CPU, m.load.Memory, m.load.At = r.l.CPU, r.l.Memory, r.l.At
	if m.state == StateReady {
		m.loaded = true
		if m.listed {
			m.settle()
		}
	}
	m.p.broadcast()
}

// subscribe starts following the pipelines of the current session:
// subscribe to ObjectCreated and ObjectDestroyed first, then list, so that
// nothing created or destroyed meanwhile is missed (the events queue until
// the list was applied).
func (w *watcher) subscribe() {
	p := w.m.p
	p.mu.Lock()
	gen := w.m.gen
	p.mu.Unlock()
	ctx, stop := context.WithCancel(w.ctx)
	w.io.Go(func() {
		res := watch{gen: gen, stop: stop}
		// A handle is bound to the session current when it is made.
		sm := pipeline.ServerManagerOf(w.c)
		res.created, res.err = sm.OnObjectCreated(ctx)
		if res.err == nil {
			res.destroyed, res.err = sm.OnObjectDestroyed(ctx)
		}
		if res.err == nil {
			lctx, cancel := context.WithTimeout(ctx, p.set.refresh.Timeout)
			res.listed, res.err = sm.GetPipelines(lctx)
			cancel()
		}
		w.watches <- res // one in flight: never blocks
	})
}

// watched applies a subscription's outcome; false means try again.
func (w *watcher) watched(res watch) bool {
	m := w.m
	m.p.mu.Lock()
	defer m.p.mu.Unlock()
	if res.err != nil || m.gen != res.gen {
		res.stop()
		if res.err != nil && w.ctx.Err() == nil {
			w.log.Warn("following pipelines failed", "err", res.err)
		}
		return false
	}
	w.attempt = 0
	w.created, w.destroyed, w.stop = res.created, res.destroyed, res.stop
	for _, pl := range res.listed {
		m.pipes[pl.ID()] = struct{}{}
	}
	m.listed = true
	if m.loaded {
		m.settle()
	}
	m.p.broadcast()
	return true
}

// unwatch ends the running subscription (one of its channels closed: the
// session was lost or the client closed).
func (w *watcher) unwatch() {
	if w.stop != nil {
		w.stop()
	}
	w.created, w.destroyed, w.stop = nil, nil, nil
}

// tombLimit bounds the ids of pipelines destroyed before their creation
// was read; ids are never reused, so forgetting old ones costs nothing.
const tombLimit = 1024

func (w *watcher) pipelineCreated(id string) {
	if !isPipeline(id) {
		return
	}
	m := w.m
	m.p.mu.Lock()
	defer m.p.mu.Unlock()
	if _, gone := m.tomb[id]; gone {
		// The two event types come on separate channels: this one's
		// ObjectDestroyed was read first.
		delete(m.tomb, id)
		return
	}
	if _, dup := m.pipes[id]; !dup {
		m.pipes[id] = struct{}{}
		m.placed = max(0, m.placed-1)
		m.p.broadcast()
	}
}

func (w *watcher) pipelineDestroyed(id string) {
	if !isPipeline(id) {
		return
	}
	m := w.m
	m.p.mu.Lock()
	defer m.p.mu.Unlock()
	if _, ok := m.pipes[id]; ok {
		delete(m.pipes, id)
		m.p.broadcast()
		return
	}
	if m.tomb == nil || len(m.tomb) >= tombLimit {
		m.tomb = map[string]struct{}{}
	}
	m.tomb[id] = struct{}{}
}

// decayPlaced forgets placements whose pipeline did not show up within a
// refresh interval (keys whose work made no pipeline, or not yet): each
// tick drops those counted at the tick before.
func (m *member) decayPlaced() {
	m.p.mu.Lock()
	defer m.p.mu.Unlock()
	m.placed = max(0, m.placed-m.placedTick)
	m.placedTick = m.placed
}

// readLoad reads CPU and memory. Pipelines are not listed here: getPipelines
// makes KMS reference every pipeline from its session "", which is marked in
// use by each call, so polling it would keep pipelines of closed or crashed
// sessions alive for as long as the pool runs. They are counted from the
// ServerManager's events instead (watcher.subscribe).
func readLoad(ctx context.Context, c *client.Client, cpuWindow time.Duration) (Load, error) {
	sm := pipeline.ServerManagerOf(c)
	cpu, err := sm.GetUsedCpu(ctx, int32(cpuWindow/time.Millisecond))
	if err != nil {
		return Load{}, err
	}
	mem, err := sm.GetUsedMemory(ctx)
	if err != nil {
		return Load{}, err
	}
	return Load{CPU: float64(cpu), Memory: mem, At: time.Now()}, nil
}

// resetPipes forgets the pipelines of a session that ended. Called with
// p.mu held.
func (m *member) resetPipes() {
	m.listed = false
	m.placed, m.placedTick = 0, 0
	clear(m.pipes)
	m.tomb = nil
}

// isPipeline tells a pipeline's id from its elements' ("<pipeline>/<id>"):
// pipelines are the only top-level objects KMS creates.
func isPipeline(id string) bool { return id != "" && !strings.Contains(id, "/") }
