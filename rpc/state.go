package rpc

import (
	"context"
	"fmt"

	"github.com/gokurento/kurento/internal/pump"
)

// State is the connection's lifecycle state.
type State int

// States. A connection starts Connecting, is Ready while a socket is usable,
// Reconnecting between sockets, and ends Closed.
const (
	Connecting State = iota
	Ready
	Reconnecting
	Closed
)

func (s State) String() string {
	switch s {
	case Connecting:
		return "connecting"
	case Ready:
		return "ready"
	case Reconnecting:
		return "reconnecting"
	case Closed:
		return "closed"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// Reason says why a state change happened.
type Reason int

// Reasons of state changes.
const (
	ReasonDialed      Reason = iota // first socket up (Ready)
	ReasonSocketLost                // the socket failed (Reconnecting); Err says how
	ReasonKeepalive                 // a keepalive ping timed out (Reconnecting)
	ReasonResumed                   // a new socket resumed the session (Ready)
	ReasonSessionLost               // a new socket is up but the session was lost (Ready)
	ReasonClosed                    // Close was called (Closed)
	ReasonGaveUp                    // reconnecting exceeded Backoff.MaxElapsed (Closed)
)

func (r Reason) String() string {
	switch r {
	case ReasonDialed:
		return "dialed"
	case ReasonSocketLost:
		return "socket lost"
	case ReasonKeepalive:
		return "keepalive timeout"
	case ReasonResumed:
		return "resumed"
	case ReasonSessionLost:
		return "session lost"
	case ReasonClosed:
		return "closed"
	case ReasonGaveUp:
		return "gave up reconnecting"
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// StateChange is one transition, with its cause.
type StateChange struct {
	State  State
	Reason Reason
	Err    error // the underlying failure, if any
}

func (sc StateChange) String() string {
	if sc.Err != nil {
		return sc.State.String() + " (" + sc.Reason.String() + ": " + sc.Err.Error() + ")"
	}
	return sc.State.String() + " (" + sc.Reason.String() + ")"
}

// stateSubQueue bounds a StateChanges subscriber; state changes are rare, so
// a full queue means a consumer that stopped reading.
const stateSubQueue = 256

// State returns the current state.
func (c *Conn) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// StateChanges delivers every state change after the call, in order, until
// ctx ends or the connection is closed (the Closed change is delivered
// first); then the channel is closed. A subscriber that falls 256 changes
// behind is dropped and its channel closed.
func (c *Conn) StateChanges(ctx context.Context) <-chan StateChange {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := pump.Start[StateChange](stateSubQueue, &c.wg)
	if c.state == Closed {
		p.Drain()
		return p.Out()
	}
	id := c.nextSub
	c.nextSub++
	c.stateSubs[id] = p
	context.AfterFunc(ctx, func() {
		c.mu.Lock()
		delete(c.stateSubs, id)
		c.mu.Unlock()
		p.Stop()
	})
	return p.Out()
}

// setState records a transition and tells observers. Callers hold no lock.
func (c *Conn) setState(st State, r Reason, err error) {
	sc := StateChange{State: st, Reason: r, Err: err}
	c.mu.Lock()
	if c.state == Closed {
		c.mu.Unlock()
		return
	}
	c.state = st
	for id, p := range c.stateSubs {
		if ok, _ := p.Push(sc); !ok {
			delete(c.stateSubs, id)
			p.Stop()
		}
		if st == Closed {
			p.Drain()
		}
	}
	if st == Closed {
		for _, p := range c.stateSubs {
			c.closingSubs = append(c.closingSubs, p)
		}
		clear(c.stateSubs)
	}
	c.mu.Unlock()
	if c.cfg.OnStateChange != nil {
		c.cfg.OnStateChange(sc)
	}
	c.log.Debug("state change", "state", st.String(), "reason", r.String(), "err", err)
}
