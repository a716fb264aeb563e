package pool

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gokurento/kurento/client"
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

	weight   float64
	c        *client.Client // nil while dialing
	serverID string
	state    State
	gen      int  // counts sessions: a load read of an older one is dropped
	loaded   bool // a load read of the current session succeeded
	load     Load
	placed   int // keys placed since the last load read began
	draining bool
	removed  bool // gone from discovery
	keys     map[string]*entry
}

// startMember adds a server and starts its goroutine. Called with p.mu held.
func (p *Pool) startMember(url string, weight float64) *member {
	ctx, cancel := context.WithCancel(p.life)
	m := &member{
		p: p, url: url, ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1),
		weight: weight, keys: map[string]*entry{}, settled: make(chan struct{}),
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
func (m *member) ready() bool { return m.c != nil && m.state == StateReady && m.loaded }

// candidate is what the Policy sees of m. Called with p.mu held.
func (m *member) candidate() Candidate {
	l := m.load
	l.Pipelines += m.placed
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
		_ = c.Close() //nolint:contextcheck // Close takes no context: it ends the client
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
	m.c, m.serverID, m.loaded, m.placed = c, c.ServerID(), false, 0
	m.gen++
	m.state = StateReady
	p.broadcast()
	p.mu.Unlock()
	log.Info("server connected", "server_id", c.ServerID())

	var refresher sync.WaitGroup
	refresher.Go(func() { m.refreshLoop(ctx, c, log) })
	defer func() {
		cancel()
		refresher.Wait()
		p.mu.Lock()
		m.c, m.state, m.loaded = nil, StateDialing, false
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
					m.serverID, m.loaded, m.placed = c.ServerID(), false, 0
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
		case <-m.kick:
		}
	}
}

// refresh reads the server's load through its ServerManager.
func (m *member) refresh(ctx context.Context, c *client.Client, log *slog.Logger) {
	p := m.p
	p.mu.Lock()
	gen, placed := m.gen, m.placed
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
	m.load = l
	m.placed = max(0, m.placed-placed)
	if m.state == StateReady {
		m.loaded = true
		m.settle()
	}
	p.broadcast()
}

func readLoad(ctx context.Context, c *client.Client, cpuWindow time.Duration) (Load, error) {
	sm := pipeline.ServerManagerOf(c)
	pls, err := sm.GetPipelines(ctx)
	if err != nil {
		return Load{}, err
	}
	cpu, err := sm.GetUsedCpu(ctx, int32(cpuWindow/time.Millisecond))
	if err != nil {
		return Load{}, err
	}
	mem, err := sm.GetUsedMemory(ctx)
	if err != nil {
		return Load{}, err
	}
	return Load{Pipelines: len(pls), CPU: float64(cpu), Memory: mem, At: time.Now()}, nil
}
