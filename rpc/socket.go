package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/gokurento/kurento/internal/jsonrpc"
)

// errSocketDead: the socket died before the request was written.
var errSocketDead = errors.New("rpc: socket closed")

// socket is one websocket and its reader. It dies once; a Conn replaces it.
type socket struct {
	c   *Conn
	ws  *websocket.Conn
	raw io.Closer       // the connection under ws: closing it ends any websocket operation at once
	ctx context.Context //nolint:containedctx // the socket's own lifetime: ends when it dies
	end context.CancelFunc
	sem chan struct{} // the write slot: one frame at a time, waited on within the caller's ctx

	// recv counts frames read; a request written when it stood at n and
	// whose socket died with it still at n got nothing back at all.
	recv atomic.Uint64
	upAt time.Time // when it became usable; written before it is published

	watchdog *time.Timer // kills the socket when a write takes too long
	// writeStart is when the write in progress began (Unix ns), 0 between
	// writes; watchdogArmed tells whether the watchdog is pending. See
	// write for why the timer is not reset for every frame.
	writeStart    atomic.Int64
	watchdogArmed atomic.Bool
	dead          chan struct{}
	err           error // why it died; set before dead is closed
	killOnce      sync.Once
}

func newSocket(c *Conn, ws *websocket.Conn, raw io.Closer) *socket {
	s := &socket{c: c, ws: ws, raw: raw, sem: make(chan struct{}, 1), dead: make(chan struct{})}
	s.ctx, s.end = context.WithCancel(c.lifetime)
	s.watchdog = time.AfterFunc(time.Hour, s.checkWrite)
	s.watchdog.Stop()
	return s
}

func (s *socket) isDead() bool {
	select {
	case <-s.dead:
		return true
	default:
		return false
	}
}

// kill marks the socket dead and closes it without a handshake.
func (s *socket) kill(err error) {
	s.killOnce.Do(func() {
		s.err = err
		close(s.dead)
		s.end()
		s.watchdog.Stop()
		_ = s.ws.CloseNow()
	})
}

// closeGracefully is Close's path: a normal closure handshake, bounded by
// d so that a silent or half-open peer cannot hold Close. The websocket
// library's own bounds are seconds long and its CloseNow does nothing once
// Close has started, so the bound closes the connection under it, which
// ends every websocket operation at once.
func (s *socket) closeGracefully(d time.Duration) {
	s.killOnce.Do(func() {
		s.err = ErrClosed
		close(s.dead)
		t := time.AfterFunc(max(d, 0), func() { s.closeRaw() })
		_ = s.ws.Close(websocket.StatusNormalClosure, "")
		t.Stop()
		s.watchdog.Stop()
		s.end()
	})
}

func (s *socket) closeRaw() {
	if s.raw != nil {
		_ = s.raw.Close()
	}
	_ = s.ws.CloseNow()
}

// quiesce waits until no write is in progress on a dead socket, so that the
// set of requests written on it is final. The slot is never given back.
func (s *socket) quiesce() { s.sem <- struct{}{} }

// acquire takes the write slot within ctx.
func (s *socket) acquire(ctx context.Context, timeout <-chan time.Time) error {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-timeout:
		return context.DeadlineExceeded
	case <-s.dead:
		return errSocketDead
	}
	if s.isDead() {
		<-s.sem
		return errSocketDead
	}
	return nil
}

func (s *socket) release() { <-s.sem }

// write sends one text frame. A caller's ctx must never reach the
// websocket write (the library closes the whole connection when a write's
// ctx ends mid-frame), and a per-write context costs allocations on the
// hot path, so frames are written without a context and bounded by the
// socket's watchdog: a write still running after WriteTimeout kills the
// socket, which unblocks it. Writes are serialised by the write slot, so one
// timer serves them all.
//
// The watchdog is armed when a write finds it idle and re-arms itself
// while writes go on, instead of being reset and stopped around every
// frame: two timer operations per frame less, and a reset can wake the
// runtime's poller (a system call). BenchmarkInvokeInterleaved in package
// client measured about 3 % less client CPU per call.
func (s *socket) write(frame []byte) error {
	s.writeStart.Store(time.Now().UnixNano())
	if s.watchdogArmed.CompareAndSwap(false, true) {
		s.watchdog.Reset(s.c.cfg.WriteTimeout)
	}
	err := s.ws.Write(context.Background(), websocket.MessageText, frame)
	s.writeStart.Store(0)
	if err != nil {
		s.kill(fmt.Errorf("rpc: write: %w", err))
	}
	return err
}

// checkWrite is the watchdog: it kills the socket if the write in progress
// has run for WriteTimeout, waits for the rest of that time if it has not,
// and goes idle between writes.
func (s *socket) checkWrite() {
	timeout := s.c.cfg.WriteTimeout
	if start := s.writeStart.Load(); start != 0 {
		if ran := time.Since(time.Unix(0, start)); ran < timeout {
			s.watchdog.Reset(timeout - ran)
			return
		}
		s.kill(errors.New("rpc: write timed out"))
		return
	}
	s.watchdogArmed.Store(false)
	// A write that began just now saw the watchdog armed and left it.
	if s.writeStart.Load() != 0 && s.watchdogArmed.CompareAndSwap(false, true) {
		s.watchdog.Reset(timeout)
	}
}

// send encodes and writes cl. sent reports whether the frame went out.
func (s *socket) send(ctx context.Context, timeout <-chan time.Time, cl *call, params any) (sent bool, err error) {
	frame, err := appendRequest(cl.frame[:0], cl.id, cl.method, params)
	if err != nil {
		return false, err
	}
	cl.frame = frame
	if err := s.acquire(ctx, timeout); err != nil {
		return false, err
	}
	defer s.release()
	if err := s.write(frame); err != nil { //nolint:contextcheck // a caller's ctx must never reach the websocket write (STYLE §4)
		return false, errSocketDead
	}
	s.c.debugFrame("send", frame) //nolint:contextcheck // only a log-level check, never I/O
	p := &s.c.calls
	p.mu.Lock()
	if !cl.direct {
		cl.sentOn = s
		cl.sentRecv = s.recv.Load()
	}
	if cl.firstSent.IsZero() {
		cl.firstSent = time.Now()
	}
	p.mu.Unlock()
	return true, nil
}

// resend writes an already encoded request again on s (same id). ok is
// false when the call completed meanwhile (nothing was written).
func (s *socket) resend(f flight) (ok bool, err error) {
	if err := s.acquire(s.ctx, nil); err != nil {
		return false, err
	}
	defer s.release()
	// The call may have completed (and been recycled) since the snapshot:
	// it is still the same request only while its id maps to it. Its frame
	// is copied under the lock, since once the reply is in the caller may
	// recycle the call.
	p := &s.c.calls
	p.mu.Lock()
	if p.m[f.id] != f.cl {
		p.mu.Unlock()
		return false, nil
	}
	cl := f.cl
	cl.sentOn = s
	cl.sentRecv = s.recv.Load()
	frame := slices.Clone(cl.frame)
	p.mu.Unlock()
	return true, s.write(frame)
}

// Call makes a call on this socket only (for OnConnect and keepalive): it is
// never resent, and fails with the socket.
func (s *socket) Call(ctx context.Context, method string, params, result any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.c.cfg.CallTimeout)
		defer cancel()
	}
	cl := &call{id: s.c.nextID.Add(1), method: method, reply: make(chan reply, 1), direct: true}
	p := &s.c.calls
	p.add(cl)
	defer p.remove(cl)
	sent, err := s.send(ctx, nil, cl, params)
	if !sent {
		return unsent(opErr(method, err))
	}
	select {
	case r := <-cl.reply:
		return r.into(cl.id, method, result)
	case <-ctx.Done():
		return opErr(method, ctx.Err())
	case <-s.dead:
		return opErr(method, fmt.Errorf("%w: %w", ErrConnectionLost, s.err))
	}
}

// readErr says why a read failed, keeping the server's close status.
func readErr(err error) error {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return &PeerClosedError{Code: int(ce.Code), Reason: ce.Reason}
	}
	return fmt.Errorf("rpc: read: %w", err)
}

// readLoop is the socket's only reader. It decodes and routes frames and
// never blocks on anything but the socket, never runs user code.
func (s *socket) readLoop() {
	var buf []byte
	var m jsonrpc.Message // reused: only this goroutine decodes
	limit := s.c.cfg.ReadLimit
	for {
		// No context for reads: kill closes the websocket, which ends a
		// blocked read, and a cancellable context would cost allocations on
		// every frame.
		typ, r, err := s.ws.Reader(context.Background())
		if err != nil {
			s.kill(readErr(err))
			return
		}
		var over bool
		buf, over, err = readFrame(buf[:0], r, limit)
		if err != nil {
			s.kill(readErr(err))
			return
		}
		s.recv.Add(1)
		if over {
			// Only the head names the call: the big buffer is let go
			// before the rest is drained.
			head, read := bytes.Clone(buf[:min(len(buf), 64)]), int64(len(buf))
			buf = nil
			if !s.discardOversized(head, r, read) {
				return
			}
			continue
		}
		if typ != websocket.MessageText {
			s.c.log.Warn("ignoring a binary frame", "bytes", len(buf))
			continue
		}
		s.c.routeWith(buf, &m)
		if cap(buf) > 1<<20 { // do not pin a huge buffer after one big frame
			buf = nil
		}
	}
}

// readFrame appends the frame in r to b, up to limit bytes. over reports a
// frame longer than limit (b then holds its first limit bytes). The buffer
// grows by doubling but never past limit, so a frame costs at most about
// 1.5 times its size in memory while it is read, whatever its size.
func readFrame(b []byte, r io.Reader, limit int64) (_ []byte, over bool, err error) {
	for {
		if int64(len(b)) >= limit || len(b) == cap(b) {
			if int64(len(b)) >= limit {
				var one [1]byte
				n, err := io.ReadFull(r, one[:])
				if n > 0 {
					return b, true, nil
				}
				if errors.Is(err, io.EOF) {
					return b, false, nil
				}
				return b, false, err
			}
			// An exact capacity: append's growth would round past the limit.
			nb := make([]byte, len(b), min(max(2*cap(b), 512), int(limit)))
			copy(nb, b)
			b = nb
		}
		n, err := r.Read(b[len(b):min(cap(b), int(limit))])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			return b, false, nil
		}
		if err != nil {
			return b, false, err
		}
	}
}

// oversizeDiscardFactor: an oversized frame is drained up to this many
// times the read limit; beyond that it is treated as never-ending and the
// socket is dropped.
const oversizeDiscardFactor = 4

// discardOversized drains a frame over the read limit and fails the call it
// answers, when the dialect names it from the frame's first bytes.
// It returns false when the socket had to be killed.
func (s *socket) discardOversized(prefix []byte, r io.Reader, read int64) bool {
	id, hasID := s.c.prefixID(prefix)
	limit := s.c.cfg.ReadLimit
	extra, err := io.CopyN(io.Discard, r, limit*oversizeDiscardFactor)
	size := read + 1 + extra
	tooLarge := fmt.Errorf("%w (%d bytes or more, limit %d)", ErrFrameTooLarge, size, limit)
	if hasID {
		s.c.calls.deliver(id, reply{local: &answeredError{err: tooLarge}})
	}
	if err == nil { // still more: a frame without end
		s.c.log.Warn("frame exceeds the read limit without end, dropping the socket", "limit", limit)
		s.kill(tooLarge)
		return false
	}
	if !errors.Is(err, io.EOF) {
		s.kill(readErr(err))
		return false
	}
	s.c.log.Warn("discarded a frame over the read limit", "bytes", size, "limit", limit, "id_known", hasID)
	return true
}

// prefixID is the dialect's PrefixID; false without one.
func (c *Conn) prefixID(p []byte) (uint64, bool) {
	if c.cfg.Dialect.PrefixID == nil {
		return 0, false
	}
	return c.cfg.Dialect.PrefixID(p)
}

// route hands one frame to its waiter or to the notification handler.
func (c *Conn) route(frame []byte) {
	var m jsonrpc.Message
	c.routeWith(frame, &m)
}

// routeWith is route with the read loop's reusable envelope m: its id
// buffer is reused, but Result and Params, handed to other goroutines, are
// fresh for each frame.
func (c *Conn) routeWith(frame []byte, m *jsonrpc.Message) {
	c.debugFrame("recv", frame)
	d := &c.cfg.Dialect
	if d.Notification != nil {
		if method, params, ok := d.Notification(frame); ok {
			if c.cfg.OnNotification != nil {
				c.cfg.OnNotification(method, params)
			}
			return
		}
	}
	if d.ReplyID != nil {
		if id, ok := d.ReplyID(frame); ok {
			// Decoded once, by the caller, straight into its result.
			if !c.calls.deliver(id, reply{frame: bytes.Clone(frame)}) {
				c.log.Debug("dropping a late or unknown reply", "id", id)
			}
			return
		}
	}
	*m = jsonrpc.Message{ID: m.ID[:0]}
	if err := json.Unmarshal(frame, m); err != nil {
		// A reply whose envelope is broken may still name its caller to
		// the dialect: fail that call now rather than let it wait for its
		// deadline.
		malformed := &answeredError{err: fmt.Errorf("%w: %w", ErrMalformedReply, err)}
		if id, ok := c.prefixID(frame); ok && c.calls.deliver(id, reply{local: malformed}) {
			c.log.Warn("failed a call whose reply was malformed", "id", id, "err", err)
			return
		}
		c.log.Warn("ignoring a frame that is not a JSON-RPC object", "err", err, "bytes", len(frame))
		return
	}
	if !m.IsResponse() {
		if len(m.ID) > 0 && string(m.ID) != "null" {
			// A request carrying the id of a call in flight is a peer that
			// echoes what it gets (not a JSON-RPC server): fail that call
			// now instead of letting it wait for its deadline.
			echo := &answeredError{err: fmt.Errorf("%w: the server sent a request (method %q) in its place", ErrMalformedReply, m.Method)}
			if id, ok := jsonrpc.IntID(m.ID); ok && c.calls.deliver(id, reply{local: echo}) {
				c.log.Warn("failed a call answered by a request", "id", id, "method", m.Method)
				return
			}
			c.log.Warn("ignoring a request from the server", "method", m.Method)
			return
		}
		if c.cfg.OnNotification != nil {
			c.cfg.OnNotification(m.Method, m.Params)
		}
		return
	}
	id, ok := jsonrpc.IntID(m.ID)
	if !ok {
		// An invalid request is answered with id null; nobody can be told.
		c.log.Warn("ignoring a reply without a usable id", "id", string(m.ID), "error", m.Error != nil)
		return
	}
	if !c.calls.deliver(id, replyOf(m)) {
		c.log.Debug("dropping a late or unknown reply", "id", id)
	}
}

// replyOf is the reply carried by a decoded response envelope.
func replyOf(m *jsonrpc.Message) reply {
	r := reply{result: m.Result}
	if m.Error != nil {
		r.err = &Error{Code: m.Error.Code, Message: m.Error.Message}
		if len(m.Error.Data) > 0 && string(m.Error.Data) != "null" {
			r.err.Data = m.Error.Data
		}
	} else if m.Result == nil {
		r.result = nil
	}
	return r
}
