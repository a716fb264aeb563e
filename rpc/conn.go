package rpc

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/gokurento/kurento/internal/backoff"
	"github.com/gokurento/kurento/internal/jsonrpc"
	"github.com/gokurento/kurento/internal/pump"
)

// Conn is a JSON-RPC 2.0 client over one websocket at a time. It survives
// socket failures by reconnecting; see the package doc. A Conn is safe for
// concurrent use.
type Conn struct {
	cfg Config
	log *slog.Logger
	bo  backoff.Policy

	// lifetime is the connection's own context: it bounds the sockets and
	// background goroutines, and ends with Close.
	lifetime context.Context //nolint:containedctx // the connection's own lifetime, documented above
	cancel   context.CancelFunc
	closed   chan struct{} // closed when Close starts or the connection gives up
	closeErr error         // why closed; set before closed is closed

	nextID   atomic.Uint64
	calls    pending
	callPool sync.Pool

	ready atomic.Pointer[socket] // the usable socket, nil while not Ready

	mu        sync.Mutex
	state     State
	readyCh   chan struct{} // closed when the next socket is Ready
	sock      *socket       // the latest socket (usable or not)
	stateSubs map[uint64]*pump.Pump[StateChange, StateChange]
	// closingSubs are the subscribers left draining by the Closed change.
	closingSubs []*pump.Pump[StateChange, StateChange]
	nextSub     uint64
	closeOnce   sync.Once

	// The settling of requests in flight while no socket is up (armExpiry).
	expMu    sync.Mutex
	expArmed bool
	expCause error
	expTimer *time.Timer

	wg sync.WaitGroup
}

// Dial connects to cfg.URL, runs cfg.OnConnect on the first socket and
// returns once the connection is Ready. ctx bounds dialing and OnConnect
// only; it is not kept. Without a deadline in ctx, cfg.DialTimeout bounds
// them (default 10 s), so a peer that never completes the upgrade or never
// answers cannot hold Dial.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	full, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, full.DialTimeout)
		defer cancel()
	}
	c := &Conn{
		cfg:       full,
		log:       full.Logger.With("component", "rpc"),
		closed:    make(chan struct{}),
		readyCh:   make(chan struct{}),
		stateSubs: make(map[uint64]*pump.Pump[StateChange, StateChange]),
		bo: backoff.Policy{
			Base: full.Backoff.Base, Multiplier: full.Backoff.Multiplier,
			Jitter: full.Backoff.Jitter, Max: full.Backoff.Max,
		},
	}
	c.calls.m = make(map[uint64]*call)
	// Ids start at a random point: a server that caches replies by
	// (session, id) must not see two processes sharing a session (one
	// adopting it after the other restarted) both count from 1. 2^52 keeps ids exact in
	// clients that read JSON numbers as doubles.
	c.nextID.Store(rand.Uint64N(1 << 52))
	c.lifetime, c.cancel = context.WithCancel(context.Background())
	s, err := c.connect(ctx, false)
	if err != nil {
		c.cancel()
		c.wg.Wait()
		return nil, err
	}
	c.becomeReady(s, ReasonDialed, nil)
	c.wg.Go(func() { c.supervise(s) }) //nolint:contextcheck // reconnecting runs under the connection's lifetime, not Dial's ctx
	if !c.cfg.Keepalive.Disabled {
		c.wg.Go(c.keepalive)
	}
	return c, nil
}

// connect dials one socket, starts its reader and runs OnConnect.
func (c *Conn) connect(ctx context.Context, reconnect bool) (*socket, error) {
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(c.lifetime, cancel) //nolint:contextcheck // Close aborts a dial
	defer stop()
	hc, raw := captureRaw(c.cfg.HTTPClient)
	ws, resp, err := websocket.Dial(dctx, c.cfg.URL, &websocket.DialOptions{
		HTTPClient: hc,
		HTTPHeader: c.cfg.HTTPHeader,
	})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("rpc: dial: %w", err)
	}
	// The read loop enforces the limit itself: an oversized reply fails its
	// own call instead of the whole socket (see readFrame).
	ws.SetReadLimit(-1)
	s := newSocket(c, ws, raw.get())
	c.mu.Lock()
	c.sock = s
	c.mu.Unlock()
	c.wg.Go(s.readLoop)
	// Without a hook a new socket is taken as resuming: the server keeps no
	// session state this layer would know of.
	out := Outcome{Resumed: true}
	if c.cfg.OnConnect != nil {
		if out, err = c.cfg.OnConnect(dctx, s, reconnect); err != nil {
			s.kill(err)
			return nil, err
		}
	}
	s.upAt = time.Now()
	if reconnect {
		c.afterReconnect(s, out) //nolint:contextcheck // resends are written under the connection-scoped deadline (STYLE §4)
	}
	return s, nil
}

// becomeReady publishes s as the socket calls use.
func (c *Conn) becomeReady(s *socket, r Reason, err error) {
	c.mu.Lock()
	if c.state == Closed {
		c.mu.Unlock()
		return
	}
	c.ready.Store(s)
	close(c.readyCh)
	c.mu.Unlock()
	c.setState(Ready, r, err)
}

// waitReady returns the usable socket, waiting within ctx while reconnecting.
// timeout is nil or the default-timeout channel of a call whose ctx has no
// deadline.
func (c *Conn) waitReady(ctx context.Context, timeout <-chan time.Time) (*socket, error) {
	for {
		if s := c.ready.Load(); s != nil {
			return s, nil
		}
		c.mu.Lock()
		ch := c.readyCh
		c.mu.Unlock()
		if s := c.ready.Load(); s != nil {
			return s, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timeout:
			return nil, context.DeadlineExceeded
		case <-c.closed:
			return nil, c.closeErr
		}
	}
}

// Call sends method with params (marshalled with encoding/json when the
// request is written) and decodes the reply's result into result (which may
// be nil). ctx bounds waiting for a usable socket, for the write slot and
// for the reply; it never breaks the connection. Without a deadline in ctx
// the configured CallTimeout applies.
//
// A request that was written and whose socket died is resent with the same
// id if the session resumed within the resend window, otherwise it fails
// with [ErrConnectionLost] (or the OnConnect Outcome's Lost error).
// Server error replies are returned as *[Error]. [SafeToRetry] tells whether
// the request never left the process.
func (c *Conn) Call(ctx context.Context, method string, params, result any) error {
	// A call whose ctx already ended never reaches the wire, even when a
	// socket and the write slot are free at once.
	if err := ctx.Err(); err != nil {
		return unsent(opErr(method, err))
	}
	cl := c.newCall(c.nextID.Add(1), method)
	if c.cfg.ResendHooks {
		cl.onResend = resendHook(ctx)
	}
	// The default timeout runs on the call's own pooled timer rather than a
	// derived context: no allocation on the hot path.
	var timeout <-chan time.Time
	if _, ok := ctx.Deadline(); !ok {
		cl.timer.Reset(c.cfg.CallTimeout)
		timeout = cl.timer.C
	}
	c.calls.add(cl)
	for {
		s, err := c.waitReady(ctx, timeout)
		if err != nil {
			c.calls.remove(cl)
			cl.timer.Stop()
			return unsent(opErr(method, err))
		}
		sent, err := s.send(ctx, timeout, cl, params)
		if sent {
			break
		}
		if errors.Is(err, errSocketDead) {
			continue // never written: wait for the next socket
		}
		c.calls.remove(cl)
		cl.timer.Stop()
		return unsent(opErr(method, err))
	}
	return c.await(ctx, timeout, cl, result)
}

// await waits for cl's reply. Only the reply path recycles cl: the read
// loop has removed it from the pending map by then, so nothing else holds
// it. The other paths remove it and leave it to the garbage collector,
// since a reply may still be racing into its channel.
func (c *Conn) await(ctx context.Context, timeout <-chan time.Time, cl *call, result any) error {
	select {
	case r := <-cl.reply:
		cl.timer.Stop()
		err := r.into(cl.id, cl.method, result)
		cl.done()
		return err
	case <-ctx.Done():
		c.calls.remove(cl)
		cl.timer.Stop()
		return opErr(cl.method, ctx.Err())
	case <-timeout:
		c.calls.remove(cl)
		return opErr(cl.method, context.DeadlineExceeded)
	case <-c.closed:
		c.calls.remove(cl)
		cl.timer.Stop()
		return opErr(cl.method, c.closeErr)
	}
}

// Close fails pending calls with [ErrClosed], closes state channels, closes
// the socket and waits for every goroutine of the connection. The closing
// handshake with the server is bounded by [DefaultCloseTimeout], so Close
// returns in about that long whatever the peer does. It is idempotent and
// always returns nil.
func (c *Conn) Close() error { return c.CloseContext(context.Background()) }

// CloseContext is Close with the closing handshake bounded by ctx instead
// (by [DefaultCloseTimeout] when ctx has no deadline); an ended ctx closes
// the socket without a handshake.
func (c *Conn) CloseContext(ctx context.Context) error {
	d := DefaultCloseTimeout
	if dl, ok := ctx.Deadline(); ok {
		d = time.Until(dl)
	}
	if ctx.Err() != nil {
		d = 0
	}
	c.shutdown(ErrClosed, ReasonClosed, d)
	c.settleStateSubs()
	c.wg.Wait()
	return nil
}

// stateSubGrace is how long Close lets StateChanges consumers read the
// final Closed change before their channels are closed regardless.
const stateSubGrace = 100 * time.Millisecond

// settleStateSubs closes the StateChanges channels that shutdown left
// draining, never waiting on a consumer for longer than the grace.
func (c *Conn) settleStateSubs() {
	c.mu.Lock()
	subs := c.closingSubs
	c.closingSubs = nil
	c.mu.Unlock()
	t := time.NewTimer(stateSubGrace)
	defer t.Stop()
	for _, p := range subs {
		select {
		case <-p.Done():
		case <-t.C:
			p.Stop()
			for _, q := range subs {
				q.Stop()
			}
			return
		}
	}
}

// CallTimeout is the bound of calls whose ctx has no deadline.
func (c *Conn) CallTimeout() time.Duration { return c.cfg.CallTimeout }

// Done is closed once the connection is closed (by Close or by giving up).
func (c *Conn) Done() <-chan struct{} { return c.closed }

// Err returns why the connection closed, or nil while it is open.
func (c *Conn) Err() error {
	select {
	case <-c.closed:
		return c.closeErr
	default:
		return nil
	}
}

func (c *Conn) shutdown(cause error, r Reason, closeWithin time.Duration) {
	c.closeOnce.Do(func() {
		c.setState(Closed, r, nonClosed(cause))
		c.mu.Lock()
		c.state = Closed
		c.closeErr = cause
		close(c.closed)
		s := c.sock
		c.ready.Store(nil)
		c.mu.Unlock()
		c.disarmExpiry()
		c.calls.failAll(cause)
		if s != nil {
			s.closeGracefully(closeWithin)
		}
		c.cancel()
	})
}

func nonClosed(err error) error {
	if errors.Is(err, ErrClosed) && !errors.Is(err, errGaveUp) {
		return nil
	}
	return err
}

var errGaveUp = errors.New("rpc: gave up reconnecting")

// supervise waits for the current socket to die and replaces it.
//
// The backoff is not restarted by a socket that dies young: a server that
// completes the handshake and drops the socket moments later is retried
// with growing delays, and MaxElapsed counts from the first of those
// losses, until a socket stays up for StableSocket.
func (c *Conn) supervise(s *socket) {
	var attempt int
	var since time.Time
	for {
		select {
		case <-s.dead:
		case <-c.lifetime.Done():
			return
		}
		c.mu.Lock()
		if c.state == Closed {
			c.mu.Unlock()
			return
		}
		c.ready.CompareAndSwap(s, nil)
		c.readyCh = make(chan struct{})
		c.mu.Unlock()
		s.quiesce()
		if since.IsZero() || time.Since(s.upAt) >= StableSocket {
			attempt, since = 0, time.Now()
		}
		c.blame(s)
		c.armExpiry(s.err)
		r := ReasonSocketLost
		if errors.Is(s.err, ErrKeepaliveTimeout) {
			r = ReasonKeepalive
		}
		c.log.Info("socket lost, reconnecting", "err", s.err)
		c.setState(Reconnecting, r, s.err)
		next := c.reconnect(&attempt, since)
		if next == nil {
			return
		}
		s = next
	}
}

// reconnect dials until a socket is up and set up, or the connection ends.
// attempt counts the attempts since the first loss at since.
func (c *Conn) reconnect(attempt *int, since time.Time) *socket {
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for ; ; *attempt++ {
		d := c.bo.Delay(*attempt, nil)
		if max := c.cfg.Backoff.MaxElapsed; max > 0 && time.Since(since)+d > max {
			c.log.Error("giving up reconnecting", "elapsed", time.Since(since).String(), "attempts", *attempt)
			c.shutdown(fmt.Errorf("%w: %w", ErrClosed, errGaveUp), ReasonGaveUp, 0)
			return nil
		}
		timer.Reset(d)
		select {
		case <-timer.C:
		case <-c.lifetime.Done():
			return nil
		}
		ctx, cancel := context.WithTimeout(c.lifetime, c.cfg.DialTimeout)
		s, err := c.connect(ctx, true)
		cancel()
		if err != nil {
			c.log.Debug("reconnect attempt failed", "attempt", *attempt, "err", err)
			continue
		}
		*attempt++
		return s
	}
}

// maxFatalSends is how many sockets in a row may die with a request in
// flight and nothing read after it was written before the request is taken
// for the cause and failed instead of being resent again.
const maxFatalSends = 3

// blame counts, for each request in flight on the dead socket s, whether s
// died with nothing read after the request was written: the mark of a
// request that kills the connection.
func (c *Conn) blame(s *socket) {
	p := &c.calls
	recv := s.recv.Load()
	p.mu.Lock()
	for _, cl := range p.m {
		switch {
		case cl.sentOn != s:
		case cl.sentRecv == recv:
			cl.fatalSends++
		default: // the socket lived on after it: not its doing, so no longer "in a row"
			cl.fatalSends = 0
		}
	}
	p.mu.Unlock()
}

// armExpiry starts settling the requests in flight on dead sockets as their
// resend windows close: while no socket is up they can no longer be resent
// safely, so they fail with ErrConnectionLost then, not at their deadline,
// and a dead server is told apart from a slow one.
func (c *Conn) armExpiry(cause error) {
	c.expMu.Lock()
	defer c.expMu.Unlock()
	c.expArmed = true
	c.expCause = cause
	c.expireLocked()
}

// disarmExpiry stops the settling; once it returns, no call is failed by
// it any more (afterReconnect then owns the calls in flight).
func (c *Conn) disarmExpiry() {
	c.expMu.Lock()
	defer c.expMu.Unlock()
	c.expArmed = false
	if c.expTimer != nil {
		c.expTimer.Stop()
	}
}

// expireLocked fails the calls whose resend window has closed and sets the
// timer for the next one. expMu is held.
func (c *Conn) expireLocked() {
	if !c.expArmed {
		return
	}
	now := time.Now()
	var next time.Duration
	for _, f := range c.calls.inFlight() {
		left := c.cfg.ResendWindow - now.Sub(f.firstSent)
		if left <= 0 {
			c.calls.failID(f.id, fmt.Errorf("%w: no connection within the resend window: %w", ErrConnectionLost, c.expCause))
			continue
		}
		if next == 0 || left < next {
			next = left
		}
	}
	if next == 0 {
		return
	}
	if c.expTimer == nil {
		c.expTimer = time.AfterFunc(next, func() {
			c.expMu.Lock()
			defer c.expMu.Unlock()
			c.expireLocked()
		})
		return
	}
	c.expTimer.Reset(next)
}

// afterReconnect settles the requests that were in flight on dead sockets,
// then publishes s. It runs before any new call can use s, so resent
// requests go out first.
func (c *Conn) afterReconnect(s *socket, out Outcome) {
	c.disarmExpiry()
	now := time.Now()
	var resend []flight
	var resent, lost int
	for _, f := range c.calls.inFlight() {
		switch {
		case out.Lost != nil:
			c.calls.failID(f.id, out.Lost)
			lost++
		case f.fatalSends >= maxFatalSends:
			c.log.Warn("not resending a request that the connection died on each time it was sent",
				"id", f.id, "sends", f.fatalSends)
			c.calls.failID(f.id, fmt.Errorf("%w: the connection died each of the %d times the request was sent; not resent again", ErrConnectionLost, f.fatalSends))
			lost++
		case out.Resumed && now.Sub(f.firstSent) < c.cfg.ResendWindow:
			resend = append(resend, f)
		default:
			c.calls.failID(f.id, ErrConnectionLost)
			lost++
		}
	}
	for _, f := range resend {
		if f.onResend != nil {
			// Before the write, so the reply cannot overtake it. Rarely the
			// call ended since the snapshot and is not resent after all.
			f.onResend()
		}
		ok, err := s.resend(f)
		if err != nil {
			break // the new socket died too; the next reconnect handles them
		}
		if ok {
			resent++
		}
	}
	reason := ReasonResumed
	if !out.Resumed {
		reason = ReasonSessionLost
	}
	if resent+lost > 0 {
		c.log.Info("requests in flight settled", "resent", resent, "failed", lost)
	}
	c.becomeReady(s, reason, out.Lost)
}

// keepalive pings the ready socket every interval for the connection's life.
func (c *Conn) keepalive() {
	ka := c.cfg.Keepalive
	t := time.NewTimer(ka.Interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-c.lifetime.Done():
			return
		}
		if s := c.ready.Load(); s != nil {
			before := s.recv.Load()
			ctx, cancel := context.WithTimeout(c.lifetime, ka.Timeout)
			err := s.Call(ctx, ka.Method, nil, nil)
			cancel()
			var se *Error
			// A socket that delivered frames while the ping waited is alive:
			// its reply is queued behind them (an event flood on a busy
			// machine), and killing it would lose what is still to come.
			busy := errors.Is(err, context.DeadlineExceeded) && s.recv.Load() != before
			if err != nil && !busy && !errors.As(err, &se) && c.lifetime.Err() == nil {
				c.log.Warn("keepalive failed", "err", err)
				s.kill(fmt.Errorf("%w: %w", ErrKeepaliveTimeout, err))
			}
		}
		t.Reset(ka.Interval)
	}
}

// reply is what the read loop hands to a waiting call.
type reply struct {
	// frame is a whole reply frame the read loop did not decode (the
	// dialect's ReplyID recognised it); otherwise result and err come from
	// its decode.
	frame  []byte
	result json.RawMessage
	err    *Error
	local  error // transport-level failure
}

// replyEnvelope decodes a whole reply frame in one pass, the result going
// straight into the caller's value.
type replyEnvelope struct {
	ID     uint64         `json:"id"`
	Method string         `json:"method"` // a reply has none
	Result any            `json:"result"`
	Error  *jsonrpc.Error `json:"error"`
}

// skipResult takes a result nobody reads, without building it.
type skipResult struct{}

func (*skipResult) UnmarshalJSON([]byte) error { return nil }

func (r *reply) into(id uint64, method string, result any) error {
	switch {
	case r.local != nil:
		return opErr(method, r.local)
	case r.err != nil:
		return r.err
	case r.frame != nil:
		return decodeFrame(r.frame, id, method, result)
	case result == nil || len(r.result) == 0:
		return nil
	}
	if err := json.Unmarshal(r.result, result); err != nil {
		return opErr(method, &answeredError{err: fmt.Errorf("decoding result: %w", err)})
	}
	return nil
}

// decodeFrame decodes a reply frame that the read loop only routed by its
// leading id. The decode validates the whole frame; a frame that turns out
// broken, or whose id is not the one it was routed by (a repeated key),
// fails the call as malformed, and an error member wins over the result,
// as on the general path.
func decodeFrame(frame []byte, id uint64, method string, result any) error {
	env := replyEnvelope{Result: result}
	if result == nil {
		env.Result = &skipResult{}
	}
	err := json.Unmarshal(frame, &env)
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return opErr(method, &answeredError{err: fmt.Errorf("%w: %w", ErrMalformedReply, err)})
	case env.ID != id || env.Method != "":
		return opErr(method, &answeredError{err: fmt.Errorf("%w: routed as the reply to id %d, decoded id %d, method %q",
			ErrMalformedReply, id, env.ID, env.Method)})
	case env.Error != nil:
		e := &Error{Code: env.Error.Code, Message: env.Error.Message}
		if len(env.Error.Data) > 0 && string(env.Error.Data) != "null" {
			e.Data = env.Error.Data
		}
		return e
	case err != nil:
		return opErr(method, &answeredError{err: fmt.Errorf("decoding result: %w", err)})
	}
	return nil
}

// call is one request from Call until its reply.
type call struct {
	id        uint64
	method    string
	reply     chan reply // buffered(1): the reader never blocks on it
	frame     []byte     // encoded request, kept for a resend
	firstSent time.Time
	sentOn    *socket // nil until written; guarded by pending.mu
	sentRecv  uint64  // sentOn's frame count when written; guarded by pending.mu
	// fatalSends counts sockets that died with nothing read after this
	// request was written on them; guarded by pending.mu.
	fatalSends int
	direct     bool // made through socket.Call: never resent
	pool       *sync.Pool
	timer      *time.Timer // the default timeout; stopped while pooled
	onResend   func()      // see WithResendHook; set before the call is pending
}

// newCall takes a call from the connection's own pool. The pool is per
// connection, not global, so that a channel made inside a synctest bubble
// never reaches a goroutine outside it.
func (c *Conn) newCall(id uint64, method string) *call {
	cl, ok := c.callPool.Get().(*call)
	if !ok {
		cl = &call{reply: make(chan reply, 1), pool: &c.callPool, timer: time.NewTimer(time.Hour)}
		cl.timer.Stop()
	}
	cl.id, cl.method = id, method
	return cl
}

// done returns cl to the pool. Only the path that received the reply calls
// it: then nobody else can still hold cl.
func (cl *call) done() {
	cl.frame = cl.frame[:0]
	cl.sentOn = nil
	cl.sentRecv, cl.fatalSends = 0, 0
	cl.firstSent = time.Time{}
	cl.onResend = nil
	cl.pool.Put(cl)
}

// pending maps request ids to waiting calls.
type pending struct {
	mu sync.Mutex
	m  map[uint64]*call
}

func (p *pending) add(cl *call) {
	p.mu.Lock()
	p.m[cl.id] = cl
	p.mu.Unlock()
}

func (p *pending) remove(cl *call) {
	p.mu.Lock()
	if p.m[cl.id] == cl {
		delete(p.m, cl.id)
	}
	p.mu.Unlock()
}

// deliver hands r to the call with id; false when nobody waits (late reply).
func (p *pending) deliver(id uint64, r reply) bool {
	p.mu.Lock()
	cl, ok := p.m[id]
	if ok {
		delete(p.m, id)
	}
	p.mu.Unlock()
	if ok {
		cl.reply <- r
	}
	return ok
}

func (p *pending) failID(id uint64, err error) { p.deliver(id, reply{local: err}) }

func (p *pending) failAll(err error) {
	p.mu.Lock()
	calls := make([]*call, 0, len(p.m))
	for id, cl := range p.m {
		calls = append(calls, cl)
		delete(p.m, id)
	}
	p.mu.Unlock()
	for _, cl := range calls {
		cl.reply <- reply{local: err}
	}
}

// flight is a snapshot of a call in flight on a dead socket, taken under
// the pending lock: once the lock is released the call may complete and
// be recycled, so it is only addressed again by its id (unique for the
// connection's life).
type flight struct {
	cl         *call
	id         uint64
	firstSent  time.Time
	fatalSends int
	onResend   func()
}

// inFlight lists, in id order, calls written on a socket that is now dead.
func (p *pending) inFlight() []flight {
	p.mu.Lock()
	var out []flight
	for id, cl := range p.m {
		if cl.sentOn != nil && cl.sentOn.isDead() {
			out = append(out, flight{cl: cl, id: id, firstSent: cl.firstSent, fatalSends: cl.fatalSends, onResend: cl.onResend})
		}
	}
	p.mu.Unlock()
	slices.SortFunc(out, func(a, b flight) int { return cmp.Compare(a.id, b.id) })
	return out
}

// ParamsAppender is implemented by params that encode themselves into the
// request frame, skipping a reflective marshal and an intermediate buffer.
// AppendParams runs when the request is written, so it may encode state
// that must be current at that moment, and its error aborts the call before
// anything is sent.
type ParamsAppender interface {
	AppendParams(b []byte) ([]byte, error)
}

// appendRequest encodes a request frame. params are marshalled here, at
// write time, so a value that depends on connection state (a session id) is
// current.
func appendRequest(b []byte, id uint64, method string, params any) ([]byte, error) {
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = strconv.AppendUint(b, id, 10)
	b = append(b, `,"method":`...)
	b = jsonrpc.AppendString(b, method)
	if params != nil {
		var p []byte
		switch v := params.(type) {
		case ParamsAppender:
			b = append(b, `,"params":`...)
			b, err := v.AppendParams(b)
			if err != nil {
				return b, err
			}
			return append(b, '}'), nil
		case json.RawMessage:
			p = v
		default:
			var err error
			if p, err = json.Marshal(params); err != nil {
				return b, fmt.Errorf("encoding params: %w", err)
			}
		}
		b = append(b, `,"params":`...)
		b = append(b, p...)
	}
	return append(b, '}'), nil
}
