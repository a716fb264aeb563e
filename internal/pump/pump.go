// Package pump delivers values to a channel in order through a bounded FIFO,
// so a producer that must never block (the rpc read loop) can hand values to
// a consumer that reads at its own pace.
//
// A pump holds no goroutine while its queue is empty: one is started when a
// value arrives and exits once everything queued was delivered. Ten thousand
// idle subscriptions therefore cost memory for their queues, not stacks.
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

	mu      sync.Mutex
	queue   []In
	head    int
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
	if len(p.queue)-p.head >= p.limit {
		return false, true
	}
	p.queue = append(p.queue, v)
	if !p.running {
		p.running = true
		p.spawn()
	}
	return true, false
}

// Len is the number of values queued and not yet handed to the consumer.
func (p *Pump[In, Out]) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queue) - p.head
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
	p.queue, p.head = nil, 0
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
	if p.state != stopped && p.head < len(p.queue) {
		v = p.queue[p.head]
		var zero In
		p.queue[p.head] = zero
		p.head++
		if p.head == len(p.queue) { // reuse the backing array once empty
			p.queue, p.head = p.queue[:0], 0
		}
		return v, true
	}
	p.running = false
	if p.state != open {
		p.finish()
	} else if cap(p.queue) > 64 { // an idle pump keeps no big array
		p.queue = nil
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
