// Package pump delivers values to a channel in order through a bounded FIFO,
// so a producer that must never block (the rpc read loop) can hand values to
// a consumer that reads at its own pace.
//
// A pump holds no goroutine while its queue is empty: one is started when a
// value arrives and exits once everything queued was delivered. Ten thousand
// idle subscriptions therefore cost memory for their queues, not stacks.
//
// The queue is a ring that grows by doubling up to the limit and is freed
// when the pump goes idle, so its memory never exceeds limit slots whatever
// the reading pattern: a consumer that keeps a constant backlog reuses the
// same slots forever.
package pump

import "sync"

// Pump is a bounded FIFO of In values delivered to Out as Out values. The
// conversion runs on the pump's goroutine, never on the producer's. The zero
// value is not usable; use [Start] or [StartFunc].
type Pump[In, Out any] struct {
	out   chan Out
	conv  func(In) (Out, bool)
	limit int
	wg    *sync.WaitGroup

	mu sync.Mutex
	// ring holds the queue: n values from head on, wrapping around.
	ring    []In
	head, n int
	state   int
	running bool // a delivery goroutine exists
	closed  bool // out is closed
	// Channels an idle pump does not need are made on first use, so that
	// ten thousand idle subscriptions cost as little as possible.
	stopped chan struct{} // made when delivery first starts; closed by Stop
	exited  chan struct{} // made by Done; closed together with out
}

const (
	open     = iota
	draining // deliver what is queued, then close
	stopped  // deliver nothing more
)

// Start returns a pump delivering values as they are.
func Start[T any](limit int, wg *sync.WaitGroup) *Pump[T, T] {
	return StartFunc(limit, wg, func(v T) (T, bool) { return v, true })
}

// StartFunc returns a pump whose queue holds at most limit values (at least
// one) and which delivers conv(v) for each queued v; conv returning false
// skips v. wg, when not nil, tracks the delivery goroutines so an owner can
// wait for them; the owner must Stop the pump before waiting.
func StartFunc[In, Out any](limit int, wg *sync.WaitGroup, conv func(In) (Out, bool)) *Pump[In, Out] {
	return &Pump[In, Out]{
		out:   make(chan Out),
		conv:  conv,
		limit: max(limit, 1),
		wg:    wg,
	}
}

// Out is the consumer's channel. It is closed exactly once, after Stop, or
// after Drain once every queued value has been delivered.
func (p *Pump[In, Out]) Out() <-chan Out { return p.out }

// Done is closed when Out is closed.
func (p *Pump[In, Out]) Done() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exited == nil {
		p.exited = make(chan struct{})
		if p.closed {
			close(p.exited)
		}
	}
	return p.exited
}

// Closed reports whether Out is closed, without the channel [Pump.Done]
// makes.
func (p *Pump[In, Out]) Closed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// Push queues v without blocking. ok is false when the pump no longer
// accepts values; full is true when it refused v because the queue holds
// limit values (the caller decides; the SDK ends the subscription loudly
// rather than dropping v).
func (p *Pump[In, Out]) Push(v In) (ok, full bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != open {
		return false, false
	}
	if p.n >= p.limit {
		return false, true
	}
	if p.n == len(p.ring) {
		p.grow()
	}
	p.ring[(p.head+p.n)%len(p.ring)] = v
	p.n++
	if !p.running {
		p.running = true
		p.spawn()
	}
	return true, false
}

// grow doubles the ring (at most to the limit), keeping the order; p.mu is
// held and the ring is full.
func (p *Pump[In, Out]) grow() {
	size := min(max(2*len(p.ring), 8), p.limit)
	ring := make([]In, size)
	k := copy(ring, p.ring[p.head:])
	copy(ring[k:], p.ring[:p.head])
	p.ring, p.head = ring, 0
}

// Len is the number of values queued and not yet handed to the consumer.
func (p *Pump[In, Out]) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// Cap is the number of slots the queue holds now (never above the limit).
func (p *Pump[In, Out]) Cap() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ring)
}

// Drain accepts nothing more and closes Out after the queued values were
// delivered (or when Stop comes first).
func (p *Pump[In, Out]) Drain() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != open {
		return
	}
	p.state = draining
	if !p.running {
		p.finish()
	}
}

// Stop discards queued values and closes Out without waiting for the
// consumer. It is safe to call more than once and after Drain.
func (p *Pump[In, Out]) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == stopped {
		return
	}
	p.state = stopped
	if p.stopped != nil {
		close(p.stopped)
	}
	p.ring, p.head, p.n = nil, 0, 0
	if !p.running {
		p.finish()
	}
}

// finish closes Out; p.mu is held and no delivery goroutine runs.
func (p *Pump[In, Out]) finish() {
	if p.closed {
		return
	}
	p.closed = true
	close(p.out)
	if p.exited != nil {
		close(p.exited)
	}
}

// spawn starts a delivery goroutine; p.mu is held.
func (p *Pump[In, Out]) spawn() {
	if p.stopped == nil {
		p.stopped = make(chan struct{})
	}
	// p.stopped is never replaced once made, so run reads it unlocked.
	if p.wg != nil {
		p.wg.Go(p.run)
	} else {
		go p.run()
	}
}

// next takes the head of the queue, or ends the goroutine (closing Out when
// nothing more will come).
func (p *Pump[In, Out]) next() (v In, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != stopped && p.n > 0 {
		v = p.ring[p.head]
		var zero In
		p.ring[p.head] = zero // the consumer owns v now; the queue must not pin it
		p.head = (p.head + 1) % len(p.ring)
		p.n--
		return v, true
	}
	p.running = false
	p.head = 0
	if p.state != open {
		p.finish()
	} else if len(p.ring) > 64 { // an idle pump keeps no big ring
		p.ring = nil
	}
	return v, false
}

func (p *Pump[In, Out]) run() {
	for {
		v, ok := p.next()
		if !ok {
			return
		}
		o, keep := p.conv(v)
		if !keep {
			continue
		}
		select {
		case p.out <- o:
		case <-p.stopped:
			p.mu.Lock()
			p.running = false
			p.finish()
			p.mu.Unlock()
			return
		}
	}
}
