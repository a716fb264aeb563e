// Package pump delivers values to a channel in order through a bounded FIFO
// and one goroutine, so a producer that must never block (the rpc read loop)
// can hand values to a consumer that reads at its own pace.
package pump

import "sync"

// Pump is a bounded FIFO drained by one goroutine into Out. Push never
// blocks. The zero value is not usable; use [Start].
type Pump[T any] struct {
	out   chan T
	limit int

	mu      sync.Mutex
	queue   []T
	head    int
	wake    chan struct{} // buffered(1): a Push or a close happened
	stopped chan struct{} // closed by Stop: deliver nothing more
	state   int           // open, draining (deliver queue then close), stopped
	exited  chan struct{} // closed when the goroutine is gone and Out is closed
}

const (
	open = iota
	draining
	stopped
)

// Start runs a pump whose queue holds at most limit values (limit ≥ 1).
// wg, when not nil, tracks the pump goroutine so an owner can wait for it.
func Start[T any](limit int, wg *sync.WaitGroup) *Pump[T] {
	p := &Pump[T]{
		out:     make(chan T),
		limit:   max(limit, 1),
		wake:    make(chan struct{}, 1),
		stopped: make(chan struct{}),
		exited:  make(chan struct{}),
	}
	if wg != nil {
		wg.Go(p.run)
	} else {
		go p.run()
	}
	return p
}

// Out is the consumer's channel. It is closed exactly once, after Stop, or
// after Drain once every queued value has been delivered.
func (p *Pump[T]) Out() <-chan T { return p.out }

// Done is closed when the pump goroutine has exited and Out is closed.
func (p *Pump[T]) Done() <-chan struct{} { return p.exited }

// Push queues v. It returns false, queuing nothing, when the pump no longer
// accepts values or when the queue is full; on a full queue the caller
// decides (the SDK ends the subscription loudly rather than dropping v).
func (p *Pump[T]) Push(v T) (ok, full bool) {
	p.mu.Lock()
	if p.state != open {
		p.mu.Unlock()
		return false, false
	}
	if len(p.queue)-p.head >= p.limit {
		p.mu.Unlock()
		return false, true
	}
	p.queue = append(p.queue, v)
	p.mu.Unlock()
	p.signal()
	return true, false
}

// Drain accepts nothing more and closes Out after the queued values were
// delivered (or when Stop comes first).
func (p *Pump[T]) Drain() {
	p.mu.Lock()
	if p.state == open {
		p.state = draining
	}
	p.mu.Unlock()
	p.signal()
}

// Stop discards queued values and closes Out without waiting for the
// consumer. It is safe to call more than once and after Drain.
func (p *Pump[T]) Stop() {
	p.mu.Lock()
	if p.state != stopped {
		p.state = stopped
		close(p.stopped)
	}
	p.mu.Unlock()
}

func (p *Pump[T]) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// next takes the head of the queue. done is true when nothing will follow.
func (p *Pump[T]) next() (v T, ok, done bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == stopped {
		return v, false, true
	}
	if p.head < len(p.queue) {
		v = p.queue[p.head]
		var zero T
		p.queue[p.head] = zero
		p.head++
		if p.head == len(p.queue) { // reuse the backing array once empty
			p.queue, p.head = p.queue[:0], 0
		} else if p.head > 1024 && p.head*2 > cap(p.queue) {
			p.queue = append(p.queue[:0:0], p.queue[p.head:]...)
			p.head = 0
		}
		return v, true, false
	}
	return v, false, p.state == draining
}

func (p *Pump[T]) run() {
	defer close(p.exited)
	defer close(p.out)
	for {
		v, ok, done := p.next()
		if done {
			return
		}
		if !ok {
			select {
			case <-p.wake:
			case <-p.stopped:
			}
			continue
		}
		select {
		case p.out <- v:
		case <-p.stopped:
			return
		}
	}
}
