package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"

	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/rpc"
)

// ServerManagerID is the fixed id of the ServerManager object of every KMS.
const ServerManagerID = kms.ServerManagerID

// Client is a Kurento session over one websocket connection that survives
// reconnects. It is safe for concurrent use. Create one with [Dial] and end
// it with [Client.Close].
type Client struct {
	conn   *rpc.Conn
	log    *slog.Logger
	set    settings
	sess   atomic.Pointer[session]
	subs   subscriptions
	closed atomic.Bool
	// loud reports subscriptions ended for a slow consumer on stderr when
	// the application set neither a logger nor an error handler; else nil.
	loud *slog.Logger

	bgMu sync.RWMutex   // orders bgWG.Add against Close's Wait
	bgWG sync.WaitGroup // background releases, unsubscribes, error handler calls
	// bgCtx bounds background work; it ends with Close.
	bgCtx    context.Context //nolint:containedctx // the client's own lifetime
	bgCancel context.CancelFunc
}

// session is one KMS session as this client sees it. gen increases each
// time a session is lost and a fresh one starts; objects remember the gen
// they were created in.
type session struct {
	id       string
	serverID string
	gen      uint64
}

// Dial connects to KMS at url (ws:// or wss://, usually ending in
// /kurento) and establishes the session before returning: `connect`, then
// `describe` of the ServerManager, which registers the session with KMS and
// proves the peer is KMS. With [WithSessionID] it re-binds that session
// instead. ctx bounds dialing and this handshake only; without a deadline
// in ctx, [WithDialTimeout] bounds them (default rpc.DefaultDialTimeout).
//
// Dial fails before dialling for a URL that is not ws:// or wss://, with
// an error naming a wrong path when the server refuses the path (KMS
// closes such sockets with "Invalid path"), and with [ErrNotKurento] when
// the peer is a websocket server that does not answer the handshake like
// KMS (an echo, a server that never answers).
func Dial(ctx context.Context, url string, opts ...Option) (*Client, error) {
	s := settings{eventBuffer: DefaultEventBuffer}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(&s); err != nil {
			return nil, err
		}
	}
	var loud *slog.Logger
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
		if s.errorHandler == nil {
			// Nobody would hear of a subscription ended for a slow
			// consumer: say it on stderr, as nats.go does.
			loud = slog.New(slog.NewTextHandler(os.Stderr, nil))
		}
	}
	if s.tlsConfig != nil {
		base := s.rpc.HTTPClient
		if base == nil {
			base = http.DefaultClient
		}
		tr, ok := base.Transport.(*http.Transport)
		if !ok || tr == nil {
			tr = http.DefaultTransport.(*http.Transport) //nolint:forcetypeassert // the standard library's type
		}
		tr = tr.Clone()
		tr.TLSClientConfig = s.tlsConfig.Clone()
		hc := *base
		hc.Transport = tr
		s.rpc.HTTPClient = &hc
	}
	c := &Client{log: s.logger.With("component", "kurento"), set: s}
	if loud != nil {
		c.loud = loud.With("component", "kurento")
	}
	c.bgCtx, c.bgCancel = context.WithCancel(context.Background())
	c.subs.init(c)
	cfg := s.rpc
	cfg.URL = url
	cfg.Logger = s.logger
	cfg.OnConnect = c.onConnect
	cfg.OnNotification = c.onNotification
	// What rpc knows of KMS comes from the protocol core: how its frames
	// are laid out, which values stay out of the logs, how long it caches
	// its replies.
	cfg.Dialect = rpc.Dialect{ReplyID: kms.ReplyID, Notification: kms.Notification, PrefixID: kms.PrefixID, Secret: kms.Secret}
	if cfg.ResendWindow == 0 {
		cfg.ResendWindow = kms.ResendWindow
	}
	if cfg.Keepalive.Method == "" {
		cfg.Keepalive.Method = kms.MethodPing
	}
	if s.tracer != nil {
		cfg.OnStateChange = s.tracer.TraceStateChange
	}
	_, bounded := ctx.Deadline()
	conn, err := rpc.Dial(ctx, cfg)
	if err != nil {
		c.bgCancel()
		return nil, dialError(url, err, bounded)
	}
	c.conn = conn
	sess := c.sess.Load()
	c.log.Info("connected", "url", url, "session_id", sess.id, "server_id", sess.serverID)
	return c, nil
}

// dialError says what went wrong with a Dial in the caller's terms.
// callerDeadline tells whether a deadline that expired was the caller's.
func dialError(url string, err error, callerDeadline bool) error {
	var pc *rpc.PeerClosedError
	var se *Error
	var ce *rpc.CallError
	handshake := errors.As(err, &ce) // the upgrade worked, a handshake call failed
	switch {
	case errors.As(err, &pc) && pc.Code == 1002:
		return fmt.Errorf("kurento: dial %s: wrong path? the server refused the socket (KMS serves /kurento unless configured otherwise): %w", url, pc)
	case errors.As(err, &se), errors.Is(err, ErrNotKurento), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, context.DeadlineExceeded) && !callerDeadline && !handshake:
		return fmt.Errorf("kurento: dial %s: no websocket upgrade within the dial timeout: %w", url, err)
	case errors.Is(err, context.DeadlineExceeded) && !callerDeadline:
		return &notKurentoError{fmt.Errorf("no answer to the handshake within the dial timeout: %w", err)}
	case rpc.Answered(err):
		return &notKurentoError{err}
	}
	return err
}

// notKurentoError is a handshake that showed the peer is not KMS; it
// matches ErrNotKurento and keeps its cause.
type notKurentoError struct{ err error }

func (e *notKurentoError) Error() string {
	return ErrNotKurento.Error() + ": " + causeText("", e.err)
}

func (e *notKurentoError) Unwrap() []error { return []error{ErrNotKurento, e.err} }

// onConnect runs on every new socket before it is used.
func (c *Client) onConnect(ctx context.Context, rc rpc.Caller, reconnect bool) (rpc.Outcome, error) {
	prev := c.sess.Load()
	if !reconnect {
		if c.set.sessionID != "" {
			s, err := c.rebind(ctx, rc, c.set.sessionID, 0)
			if err != nil {
				return rpc.Outcome{}, fmt.Errorf("kurento: adopting session %s: %w", c.set.sessionID, err)
			}
			c.sess.Store(s)
			return rpc.Outcome{}, nil
		}
		s, err := c.newSession(ctx, rc, 1)
		if err != nil {
			return rpc.Outcome{}, err
		}
		c.sess.Store(s)
		return rpc.Outcome{}, nil
	}
	s, err := c.rebind(ctx, rc, prev.id, prev.gen)
	switch {
	case err == nil && s.serverID == prev.serverID:
		c.log.Info("session resumed", "session_id", prev.id)
		return rpc.Outcome{Resumed: true}, nil
	case err == nil, errors.Is(err, ErrInvalidSession):
		cause := "server restarted"
		if err != nil {
			cause = "session expired or server restarted"
		}
		fresh, ferr := c.newSession(ctx, rc, prev.gen+1)
		if ferr != nil {
			return rpc.Outcome{}, ferr
		}
		c.sess.Store(fresh)
		c.log.Error("session lost, started a new one", "cause", cause,
			"old_session_id", prev.id, "session_id", fresh.id, "server_id", fresh.serverID)
		c.traceSessionLost(SessionLost{OldSessionID: prev.id, NewSessionID: fresh.id, ServerID: fresh.serverID, Cause: cause})
		c.subs.endAll()
		return rpc.Outcome{Lost: ErrSessionLost}, nil
	default:
		return rpc.Outcome{}, err
	}
}

// newSession asks KMS for a fresh session and registers it with an object
// lookup (KMS only remembers sessions that touched an object).
func (c *Client) newSession(ctx context.Context, rc rpc.Caller, gen uint64) (*session, error) {
	var cr kms.ConnectResult
	if err := rc.Call(ctx, kms.MethodConnect, nil, &cr); err != nil {
		return nil, &OpError{Method: kms.MethodConnect, Err: convert(err)}
	}
	if cr.SessionID == "" || cr.ServerID == "" {
		return nil, fmt.Errorf("%w: connect returned no session or server id", ErrNotKurento)
	}
	if err := describeManager(ctx, rc, cr.SessionID); err != nil {
		return nil, err
	}
	return &session{id: cr.SessionID, serverID: cr.ServerID, gen: gen}, nil
}

func (c *Client) rebind(ctx context.Context, rc rpc.Caller, id string, gen uint64) (*session, error) {
	var cr kms.ConnectResult
	if err := rc.Call(ctx, kms.MethodConnect, map[string]string{kms.ParamSessionID: id}, &cr); err != nil {
		return nil, convert(err)
	}
	if cr.SessionID != id || cr.ServerID == "" {
		return nil, fmt.Errorf("%w: connect answered session %q", ErrNotKurento, cr.SessionID)
	}
	return &session{id: id, serverID: cr.ServerID, gen: max(gen, 1)}, nil
}

func describeManager(ctx context.Context, rc rpc.Caller, sessionID string) error {
	var d kms.DescribeResult
	err := rc.Call(ctx, kms.MethodDescribe, map[string]string{kms.ParamObject: ServerManagerID, kms.ParamSessionID: sessionID}, &d)
	if err != nil {
		return &OpError{Method: kms.MethodDescribe, ObjectID: ServerManagerID, Err: convert(err)}
	}
	if d.Type != "ServerManager" {
		return fmt.Errorf("%w: %s is a %q", ErrNotKurento, ServerManagerID, d.Type)
	}
	return nil
}

// SessionID returns the current KMS session id. It changes only when the
// session was lost and a new one started.
func (c *Client) SessionID() string { return c.sess.Load().id }

// ServerID returns the id KMS gave its running process; it changes when KMS
// restarts.
func (c *Client) ServerID() string { return c.sess.Load().serverID }

// State returns the connection state.
func (c *Client) State() rpc.State { return c.conn.State() }

// StateChanges delivers every connection state change after the call, in
// order, each with its reason (resumed, session lost, ...), until ctx ends
// or the client closes; then the channel is closed. After a change to Ready
// with reason rpc.ReasonResumed, events KMS emitted while no socket was
// bound are lost: re-read the state you depend on.
func (c *Client) StateChanges(ctx context.Context) <-chan rpc.StateChange {
	return c.conn.StateChanges(ctx)
}

// Close ends the client: it sends closeSession (so KMS frees the objects
// only this session owned) unless [WithKeepSessionOnClose] was given, fails
// pending calls with [ErrClosed], closes every event channel and returns
// after all of the client's goroutines have exited. closeSession and the
// websocket's closing handshake share a bound of rpc.DefaultCloseTimeout,
// so Close returns in about that long whatever the server does. It is
// idempotent and returns nil: a failed closeSession is only logged, since
// KMS collects the session anyway.
func (c *Client) Close() error { return c.CloseContext(context.Background()) }

// CloseContext is Close with closeSession and the closing handshake
// bounded by ctx instead (by rpc.DefaultCloseTimeout when ctx has no
// deadline). An ended ctx sends nothing and closes the socket at once.
func (c *Client) CloseContext(ctx context.Context) error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rpc.DefaultCloseTimeout)
		defer cancel()
	}
	if !c.set.keepSession && c.conn.State() == rpc.Ready {
		err := c.conn.Call(ctx, kms.MethodCloseSession, map[string]string{kms.ParamSessionID: c.sess.Load().id}, nil)
		if err != nil {
			// KMS collects the session anyway; nothing for the caller to do.
			c.log.Warn("closeSession failed", "err", err)
		}
	}
	c.bgMu.Lock()
	c.bgCancel()
	c.bgMu.Unlock()
	c.subs.stopAll()
	_ = c.conn.CloseContext(ctx)
	c.bgWG.Wait()
	c.subs.wg.Wait()
	c.log.Info("closed")
	return nil
}

// background runs f on a goroutine owned by the client (waited for in
// Close). f gets a ctx that ends with Close.
func (c *Client) background(f func(ctx context.Context)) {
	c.goOwned(func() { f(c.bgCtx) })
}

// goOwned starts f on a goroutine Close waits for; false once closing.
func (c *Client) goOwned(f func()) bool {
	c.bgMu.RLock()
	defer c.bgMu.RUnlock()
	if c.bgCtx.Err() != nil {
		return false
	}
	c.bgWG.Go(f)
	return true
}

// report hands a background failure to the error handler and the log.
func (c *Client) report(err error) {
	c.log.Warn("background failure", "err", err)
	if c.loud != nil && errors.Is(err, ErrSlowConsumer) {
		c.loud.Error("event subscription ended: its channel was not read fast enough; "+
			"raise client.WithEventBuffer or set client.WithErrorHandler", "err", err)
	}
	if h := c.set.errorHandler; h != nil {
		c.background(func(context.Context) { h(err) })
	}
}

// call is the single path of every Kurento request.
func (c *Client) call(ctx context.Context, method string, params rpc.ParamsAppender, result any) error {
	if c.set.tracer != nil {
		return c.tracedCall(ctx, method, params, result)
	}
	return convert(c.conn.Call(ctx, method, params, result))
}

var _ json.Marshaler = (*Object)(nil)
