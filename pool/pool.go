package pool

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/internal/pump"
)

// Errors of the pool.
var (
	// ErrClosed: the pool was closed.
	ErrClosed = errors.New("pool: closed")
	// ErrNoCapacity: servers are up but every one is draining, leaving,
	// or refused by the Policy (a cap reached).
	ErrNoCapacity = errors.New("pool: no server can take the key")
	// ErrUnknownServer: no server of the pool has that URL.
	ErrUnknownServer = errors.New("pool: unknown server")
)

// Reason says why a key was failed over.
type Reason int

const (
	// ReasonSessionLost means the server answered again but without the session
	// (KMS restarted or collected it): the key's objects are gone.
	ReasonSessionLost Reason = iota + 1
	// ReasonUnreachable means the server stayed unreachable longer than
	// WithLostAfter, or its client gave up reconnecting; the pool abandoned
	// the session.
	ReasonUnreachable
)

func (r Reason) String() string {
	switch r {
	case ReasonSessionLost:
		return "session lost"
	case ReasonUnreachable:
		return "unreachable"
	default:
		return fmt.Sprintf("Reason(%d)", int(r))
	}
}

// Failover tells the application that the work of one key is gone with its
// server's session: rebuild it (Pool.Place the key again picks a healthy
// server).
type Failover struct {
	Key      string
	URL      string // the server the key was on
	ServerID string // the KMS process that held the session
	Reason   Reason
	Err      error // the failure behind it, when known
	At       time.Time
}

// Pool is a set of KMS servers, each with its own client, on which keys
// (rooms, broadcasts, calls: units of work named by the application) are
// placed. Create it with New and end it with Pool.Close. It is safe for
// concurrent use.
type Pool struct {
	disc Discovery
	set  settings
	log  *slog.Logger

	// life is the pool's own lifetime; it ends in Close.
	life   context.Context //nolint:containedctx // the pool's lifetime, cancelled by Close (STYLE §4)
	cancel context.CancelFunc
	wg     sync.WaitGroup // resolve loop, members, failover pumps

	resolveMu sync.Mutex // one discovery at a time

	mu      sync.Mutex
	closed  bool
	members map[string]*member
	keys    map[string]*entry
	changed chan struct{} // closed and replaced whenever placement may change
	subs    map[*pump.Pump[Failover, Failover]]struct{}
	drained map[*pump.Pump[Failover, Failover]]struct{} // overflowed: delivering what they hold
}

// entry is one live key.
type entry struct {
	key      string
	m        *member
	c        *client.Client
	serverID string
	refs     int
	gone     bool
	lost     chan struct{} // closed on failover
}

// New starts a pool of the servers d finds. ctx bounds the first discovery
// and the wait after it: New fails if the discovery does, and returns once
// each server found is ready (its load read) or failed its first dial, or
// ctx ended. Servers that failed keep being re-dialed with backoff (200 ms,
// ×1.6 per attempt, ±20 %, at most 10 s).
func New(ctx context.Context, d Discovery, opts ...Option) (*Pool, error) {
	if d == nil {
		return nil, errors.New("pool: nil Discovery")
	}
	set := defaults()
	for _, o := range opts {
		if err := o.apply(&set); err != nil {
			return nil, err
		}
	}
	if set.dial == nil {
		copts := set.clientOpts
		set.dial = func(ctx context.Context, url string) (*client.Client, error) {
			return client.Dial(ctx, url, copts...)
		}
	}
	targets, err := d.Targets(ctx)
	if err != nil {
		return nil, err
	}
	life, cancel := context.WithCancel(context.Background())
	p := &Pool{
		disc:    d,
		set:     set,
		log:     set.log.With("component", "pool"),
		life:    life,
		cancel:  cancel,
		members: map[string]*member{},
		keys:    map[string]*entry{},
		changed: make(chan struct{}),
		subs:    map[*pump.Pump[Failover, Failover]]struct{}{},
		drained: map[*pump.Pump[Failover, Failover]]struct{}{},
	}
	p.mu.Lock()
	joined := p.apply(targets)
	p.mu.Unlock()
	p.wg.Go(p.resolveLoop)
	settle(ctx, joined)
	return p, nil
}

// settle waits until each member answered (load read) or failed its first
// dial, or ctx ends: callers then see every reachable server, not only the
// first to answer.
func settle(ctx context.Context, ms []*member) {
	for _, m := range ms {
		select {
		case <-m.settled:
		case <-ctx.Done():
			return
		}
	}
}

// Close stops the pool: it closes every server's client (each sends
// closeSession, so KMS frees the objects only the pool's sessions owned),
// closes every Failovers channel and returns once the pool's goroutines
// exited. Placements handed out before fail their calls with
// client.ErrClosed. Close is idempotent and returns nil.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	for pu := range p.subs {
		pu.Stop()
	}
	for pu := range p.drained {
		pu.Stop()
	}
	clear(p.subs)
	clear(p.drained)
	p.broadcast()
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	return nil
}

// broadcast wakes everything waiting for a change of placement state.
// Called with p.mu held.
func (p *Pool) broadcast() {
	close(p.changed)
	p.changed = make(chan struct{})
}

func (p *Pool) resolveLoop() {
	t := time.NewTicker(p.set.resolveEvery)
	defer t.Stop()
	for {
		select {
		case <-p.life.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(p.life, p.set.resolveEvery)
		err := p.Resolve(ctx)
		cancel()
		if err != nil && p.life.Err() == nil {
			p.log.Warn("discovery failed; keeping the current servers", "err", err)
		}
	}
}

// Resolve asks the Discovery now instead of waiting for the next interval
// and applies the answer: missing servers stop taking keys, and new ones are
// dialed; like New, it returns once each new server is ready or failed its
// first dial, or ctx ended. On error the servers stay as they were.
func (p *Pool) Resolve(ctx context.Context) error {
	p.resolveMu.Lock()
	defer p.resolveMu.Unlock()
	targets, err := p.disc.Targets(ctx)
	if err != nil {
		return err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	joined := p.apply(targets)
	p.mu.Unlock()
	settle(ctx, joined)
	return nil
}

// apply makes the members match targets: new URLs join, missing ones leave
// once their keys are released. It returns the members that joined.
// Called with p.mu held.
func (p *Pool) apply(targets []Target) (joined []*member) {
	want := make(map[string]float64, len(targets))
	for _, t := range targets {
		if t.URL == "" {
			continue
		}
		if _, dup := want[t.URL]; dup {
			continue
		}
		w := t.Weight
		if w <= 0 {
			w = 1
		}
		want[t.URL] = w
	}
	for url, w := range want {
		if m, ok := p.members[url]; ok {
			m.weight = w
			if m.removed {
				m.removed = false
				p.log.Info("server back in discovery", "url", url)
			}
			continue
		}
		joined = append(joined, p.startMember(url, w))
	}
	for url, m := range p.members {
		if _, ok := want[url]; ok || m.removed {
			continue
		}
		m.removed = true
		p.log.Info("server left discovery", "url", url, "keys", len(m.keys))
		p.maybeRetire(m)
	}
	p.broadcast()
	return joined
}

// maybeRetire stops a member that left discovery once it holds no key.
// Called with p.mu held.
func (p *Pool) maybeRetire(m *member) {
	if !m.removed || len(m.keys) > 0 {
		return
	}
	delete(p.members, m.url)
	m.stop()
}

// Place returns where key (any non-empty string) lives: the server it is
// already on while its work lives (even if that server is draining, leaving
// or reconnecting), or else the eligible server the Policy scores lowest
// (ready, load read since its session started, not draining, not leaving).
// Each Placement counts as one holder of the key; the key is forgotten when
// every holder released its Placement or its server's session was lost.
//
// When no server is ready, or one just connected and its load is being read,
// Place waits within ctx (its error then wraps ctx's). It fails at once with
// ErrNoCapacity when servers are ready but none can take the key (servers
// that are dialing or reconnecting are not waited for then), and with
// ErrClosed after Close. Place does no I/O: it reads the loads kept up to
// date in the background and asks for a fresh read of the chosen server.
func (p *Pool) Place(ctx context.Context, key string) (*Placement, error) {
	if key == "" {
		return nil, errors.New("pool: empty key")
	}
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, ErrClosed
		}
		if e := p.keys[key]; e != nil {
			e.refs++
			p.mu.Unlock()
			return &Placement{p: p, e: e}, nil
		}
		m, anyReady, anyLoading := p.choose()
		if m != nil {
			e := &entry{key: key, m: m, c: m.c, serverID: m.serverID, refs: 1, lost: make(chan struct{})}
			p.keys[key] = e
			m.keys[key] = e
			m.placed++
			m.kickRefresh()
			p.mu.Unlock()
			return &Placement{p: p, e: e}, nil
		}
		wait := p.changed
		p.mu.Unlock()
		if anyReady && !anyLoading {
			return nil, fmt.Errorf("pool: place %q: %w", key, ErrNoCapacity)
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, fmt.Errorf("pool: place %q: no ready server: %w", key, ctx.Err())
		}
	}
}

// choose picks the member for a new key. anyReady reports whether some
// member that is not leaving was ready, draining or not: when every such
// server refuses, waiting would not help, unless anyLoading says a connected
// server is having its load read (just after a session started) and will be
// ready in a moment. Called with p.mu held.
func (p *Pool) choose() (best *member, anyReady, anyLoading bool) {
	var bestScore float64
	for _, m := range p.members {
		if m.c != nil && m.state == StateReady && (!m.loaded || !m.listed) && !m.removed {
			anyLoading = true
		}
		if !m.ready() || m.removed {
			continue // a leaving server's successors are probably dialing
		}
		anyReady = true
		if m.draining {
			continue
		}
		score, ok := p.set.policy.Score(m.candidate())
		if !ok {
			continue
		}
		if best == nil || score < bestScore ||
			(score == bestScore && (len(m.keys) < len(best.keys) ||
				(len(m.keys) == len(best.keys) && m.url < best.url))) {
			best, bestScore = m, score
		}
	}
	return best, anyReady, anyLoading
}

// release drops one holder of e. Called without p.mu.
func (p *Pool) release(e *entry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.gone {
		return
	}
	e.refs--
	if e.refs > 0 {
		return
	}
	e.gone = true
	delete(p.keys, e.key)
	delete(e.m.keys, e.key)
	p.maybeRetire(e.m)
	p.broadcast()
}

// failover ends every key of m with a notification. Called with p.mu held.
func (p *Pool) failover(m *member, serverID string, r Reason, err error) {
	if len(m.keys) == 0 {
		return
	}
	now := time.Now()
	keys := make([]string, 0, len(m.keys))
	for k := range m.keys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		e := m.keys[k]
		e.gone = true
		close(e.lost)
		if p.keys[k] == e {
			delete(p.keys, k)
		}
		f := Failover{Key: k, URL: m.url, ServerID: serverID, Reason: r, Err: err, At: now}
		for pu := range p.subs {
			if ok, full := pu.Push(f); !ok || full {
				// Never drop one silently: the reader gets what was queued,
				// then its channel closes.
				p.log.Error("failover reader too slow; its channel is closed", "url", m.url)
				pu.Drain()
				delete(p.subs, pu)
				p.drained[pu] = struct{}{}
			}
		}
	}
	clear(m.keys)
	m.placed, m.placedTick = 0, 0
	p.log.Error("keys failed over", "url", m.url, "server_id", serverID, "reason", r.String(), "keys", len(keys), "err", err)
	p.maybeRetire(m)
	p.broadcast()
}

// Failovers delivers a Failover for every key whose server's session is
// lost from now on, in order, until ctx ends or the pool closes; then the
// channel is closed. A reader that falls WithFailoverBuffer notifications
// behind gets those, then its channel closes (logged at Error), rather than
// miss one silently.
func (p *Pool) Failovers(ctx context.Context) <-chan Failover {
	pu := pump.Start[Failover](p.set.failoverBuffer, &p.wg)
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		pu.Stop()
		return pu.Out()
	}
	p.subs[pu] = struct{}{}
	p.mu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		p.mu.Lock()
		delete(p.subs, pu)
		delete(p.drained, pu)
		p.mu.Unlock()
		pu.Stop()
	})
	p.wg.Go(func() {
		// Unregister the AfterFunc once the channel closed for another
		// reason, so a long-lived ctx does not keep the pump reachable.
		<-pu.Done()
		stop()
		p.mu.Lock()
		delete(p.drained, pu)
		p.mu.Unlock()
	})
	return pu.Out()
}

// Drain stops new keys from going to the server at url; keys already there
// keep it (and Place of such a key still returns it). Undrain reverses it.
func (p *Pool) Drain(url string) error { return p.setDraining(url, true) }

// Undrain lets the server at url take new keys again.
func (p *Pool) Undrain(url string) error { return p.setDraining(url, false) }

func (p *Pool) setDraining(url string, on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.members[url]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownServer, url)
	}
	m.draining = on
	p.broadcast()
	return nil
}

// WaitIdle returns once the server at url holds no key of this pool (all
// released or failed over), or it left the pool, or ctx ended (its error is
// returned). Use it after Drain before taking a server down.
func (p *Pool) WaitIdle(ctx context.Context, url string) error {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return ErrClosed
		}
		m, ok := p.members[url]
		if !ok || len(m.keys) == 0 {
			p.mu.Unlock()
			return nil
		}
		wait := p.changed
		p.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// State is the health of one server as the pool sees it.
type State int

const (
	// StateDialing means no client yet (first dial, or re-dialing after the
	// pool gave a session up).
	StateDialing State = iota
	// StateReady means connected; placements go there once its load is
	// known.
	StateReady
	// StateReconnecting means the client is reconnecting; no placements.
	StateReconnecting
)

func (s State) String() string {
	switch s {
	case StateDialing:
		return "dialing"
	case StateReady:
		return "ready"
	case StateReconnecting:
		return "reconnecting"
	default:
		return fmt.Sprintf("State(%d)", int(s))
	}
}

// ServerStatus is a snapshot of one server of the pool.
type ServerStatus struct {
	URL      string
	ServerID string // empty before the first connection
	State    State
	Eligible bool // it would be offered to the Policy for a new key now
	Draining bool
	Leaving  bool // gone from discovery; closed once its keys are released
	Weight   float64
	Load     Load
	Keys     int
}

// Servers returns a snapshot of every server, sorted by URL.
func (p *Pool) Servers() []ServerStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]ServerStatus, 0, len(p.members))
	for _, m := range p.members {
		out = append(out, ServerStatus{
			URL: m.url, ServerID: m.serverID, State: m.state,
			Eligible: m.ready() && !m.draining && !m.removed,
			Draining: m.draining, Leaving: m.removed,
			Weight: m.weight, Load: m.candidate().Load, Keys: len(m.keys),
		})
	}
	slices.SortFunc(out, func(a, b ServerStatus) int { return cmp.Compare(a.URL, b.URL) })
	return out
}

// Placement is one holder's hold on a key: the server (and its client) the
// key's work lives on. Release it when the work ends.
type Placement struct {
	p    *Pool
	e    *entry
	once sync.Once
}

// Key returns the key.
func (pl *Placement) Key() string { return pl.e.key }

// URL returns the server's URL.
func (pl *Placement) URL() string { return pl.e.m.url }

// ServerID returns the id of the KMS process the key was placed on.
func (pl *Placement) ServerID() string { return pl.e.serverID }

// Client returns the client of the key's server: create the key's
// pipelines with it. After a failover its calls fail (client.ErrSessionLost
// for objects of the lost session, client.ErrClosed once the pool gave the
// server up).
func (pl *Placement) Client() *client.Client { return pl.e.c }

// Lost is closed when the key's server session was lost (the same moment a
// Failover is delivered). Release is still allowed then and does nothing.
func (pl *Placement) Lost() <-chan struct{} { return pl.e.lost }

// Release ends this holder's hold on the key; the key is forgotten when its
// last holder released it. It does not touch the server's objects (release
// the pipelines first). Calling it more than once has no further effect.
func (pl *Placement) Release() {
	pl.once.Do(func() { pl.p.release(pl.e) })
}
