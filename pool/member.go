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

// member is one server of the pool. Its goroutine owns the client: it dials,
// watches the client's state, and gives the session up when the server stays
// unreachable. Fields below the line are guarded by Pool.mu.
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
	tomb       map[string]struct{} // pipelines destroyed while the list was read
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

	var refresher sync.WaitGroup
	refresher.Go(func() { m.refreshLoop(ctx, c, log) })
	refresher.Go(func() { m.watchPipelines(ctx, c, log) })
	defer func() {
		cancel()
		refresher.Wait()
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
				m.kickRefresh()
			case rpc.Closed:
				giveUp(ch.Err)
				return
			default: // Connecting happens only before Dial returns
			}
		}
	}
}

func (m *member) refreshLoop(ctx context.Context, c *client.Client, log *slog.Logger) {
	t := time.NewTicker(m.p.set.refresh.Interval)
	defer t.Stop()
	for {
		m.refresh(ctx, c, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.decayPlaced()
		case <-m.kick:
		}
	}
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

// refresh reads the server's load through its ServerManager.
func (m *member) refresh(ctx context.Context, c *client.Client, log *slog.Logger) {
	p := m.p
	p.mu.Lock()
	gen := m.gen
	p.mu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, p.set.refresh.Timeout)
	defer cancel()
	l, err := readLoad(rctx, c, p.set.refresh.CPUWindow)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("load read failed", "err", err)
		}
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if m.c != c || m.gen != gen {
		return // read from a session that is gone
	}
	m.load.CPU, m.load.Memory, m.load.At = l.CPU, l.Memory, l.At
	if m.state == StateReady {
		m.loaded = true
		if m.listed {
			m.settle()
		}
	}
	p.broadcast()
}

// readLoad reads CPU and memory. Pipelines are not listed here: getPipelines
// makes KMS reference every pipeline from its session "", which is marked in
// use by each call, so polling it would keep pipelines of closed or crashed
// sessions alive for as long as the pool runs. They are counted from the
// ServerManager's events instead (watchPipelines).
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

// watchPipelines keeps the set of pipelines on the server: listed once per
// session (getPipelines; see readLoad for why only once), then followed
// through ObjectCreated and ObjectDestroyed of the ServerManager. Events KMS
// raised while no socket was bound are lost, so after a resume the count can
// be off until the session changes; CPU and memory stay exact.
func (m *member) watchPipelines(ctx context.Context, c *client.Client, log *slog.Logger) {
	p := m.p
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(p.set.redial.Delay(attempt-1, nil))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		sctx, cancel := context.WithCancel(ctx)
		p.mu.Lock()
		gen := m.gen
		p.mu.Unlock()
		// A handle is bound to the session current when it is made.
		sm := pipeline.ServerManagerOf(c)
		created, err := sm.OnObjectCreated(sctx)
		var destroyed <-chan event.ObjectDestroyed
		if err == nil {
			destroyed, err = sm.OnObjectDestroyed(sctx)
		}
		if err != nil {
			cancel()
			if ctx.Err() == nil {
				log.Warn("watching pipelines failed", "err", err)
			}
			continue
		}
		p.mu.Lock()
		m.tomb = map[string]struct{}{}
		p.mu.Unlock()
		listed := make(chan []*pipeline.MediaPipeline, 1)
		var lister sync.WaitGroup
		lister.Go(func() {
			rctx, rcancel := context.WithTimeout(sctx, p.set.refresh.Timeout)
			defer rcancel()
			pls, err := sm.GetPipelines(rctx)
			if err != nil {
				if sctx.Err() == nil {
					log.Warn("listing pipelines failed", "err", err)
				}
				cancel() // the events end too: start over
				return
			}
			listed <- pls
		})
		m.followPipelines(gen, created, destroyed, listed)
		cancel()
		lister.Wait()
		attempt = 0
	}
}

// followPipelines applies the list and the events until a channel closes
// (session lost, client closed, ctx done).
func (m *member) followPipelines(gen int, created <-chan event.ObjectCreated, destroyed <-chan event.ObjectDestroyed, listed <-chan []*pipeline.MediaPipeline) {
	p := m.p
	for created != nil && destroyed != nil {
		select {
		case ev, ok := <-created:
			if !ok {
				created = nil
				continue
			}
			if !isPipeline(ev.Object) {
				continue
			}
			p.mu.Lock()
			if m.gen == gen {
				if _, dup := m.pipes[ev.Object]; !dup {
					m.pipes[ev.Object] = struct{}{}
					m.placed = max(0, m.placed-1)
				}
			}
			p.mu.Unlock()
		case ev, ok := <-destroyed:
			if !ok {
				destroyed = nil
				continue
			}
			if !isPipeline(ev.ObjectId) {
				continue
			}
			p.mu.Lock()
			if m.gen == gen {
				delete(m.pipes, ev.ObjectId)
				if m.tomb != nil {
					m.tomb[ev.ObjectId] = struct{}{}
				}
				p.broadcast()
			}
			p.mu.Unlock()
		case pls := <-listed:
			listed = nil
			p.mu.Lock()
			if m.gen == gen {
				for _, pl := range pls {
					if _, gone := m.tomb[pl.ID()]; !gone {
						m.pipes[pl.ID()] = struct{}{}
					}
				}
				m.tomb = nil
				m.listed = true
				if m.loaded {
					m.settle()
				}
				p.broadcast()
			}
			p.mu.Unlock()
		}
	}
}
