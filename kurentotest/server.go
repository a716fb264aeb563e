package kurentotest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/kurentotest/internal/media"
)

// ReadLimit is the largest message the fake accepts, the same as KMS
// (websocketpp's default). Bigger messages close the socket with 1009.
const ReadLimit = 32_000_000

// Path is the only resource path the fake serves, as KMS by default.
const Path = "/kurento"

// DefaultReplyCacheTTL is how long replies are kept for duplicate
// requests: KMS's window, 20 s.
const DefaultReplyCacheTTL = kms.ReplyCacheWindow

// DefaultGCPeriod is KMS's default garbage collector period.
const DefaultGCPeriod = 240 * time.Second

// ErrServerClosed is returned by [Server.WaitCall], and by dials through
// [Server.HTTPClient], once the server is closed.
var ErrServerClosed = errors.New("kurentotest: server closed")

// Option configures a [Server].
type Option func(*options)

type options struct {
	cacheTTL time.Duration
	gcPeriod time.Duration
	logger   *slog.Logger
	addr     string
	noListen bool
	forceTCP bool
	metadata string
	callLog  int // entries kept by the call log; 0 keeps all

	playerDuration time.Duration
	missingURIs    []string
	media          bool
	modules        [][]byte // kmd.json of custom modules, see WithModule
}

// WithCallLog bounds the call log ([Server.Calls], [Server.WaitCall]) to
// the most recent n calls, so that a long-running server (an interop
// session, cmd/kurento-fake) keeps flat memory. The default, n ≤ 0, keeps
// every call, as tests that inspect the whole log expect. A WaitCall that
// falls more than n calls behind may miss the calls dropped meanwhile.
func WithCallLog(n int) Option {
	return func(o *options) { o.callLog = max(n, 0) }
}

// WithReplyCacheTTL sets how long a reply is replayed for a repeated
// (session, request id) pair. KMS uses 20 s; zero or less disables the cache.
func WithReplyCacheTTL(d time.Duration) Option {
	return func(o *options) { o.cacheTTL = d }
}

// WithGCPeriod sets the session garbage collector period. A session that is
// not bound to an open socket and not marked in use disappears one to two
// periods after it was last used, together with the objects only it owned.
func WithGCPeriod(d time.Duration) Option {
	return func(o *options) { o.gcPeriod = d }
}

// WithLogger sets the logger. Every frame in and out is logged at Debug.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithAddress sets the TCP address of the loopback listener
// (default "127.0.0.1:0", a free port).
func WithAddress(addr string) Option {
	return func(o *options) { o.addr = addr; o.forceTCP = true }
}

// WithInMemoryOnly disables the TCP listener: the server is reachable only
// through [Server.HTTPClient], and [Server.URL] names no real host. This is
// the default inside a testing/synctest bubble, where a goroutine blocked on
// a real socket would stop the fake clock.
func WithInMemoryOnly() Option {
	return func(o *options) { o.noListen = true }
}

// WithMetadata sets the string ServerManager.getMetadata returns (default "").
func WithMetadata(s string) Option {
	return func(o *options) { o.metadata = s }
}

// WithPlayerDuration sets how long every PlayerEndpoint plays before it
// stops with UriEndpointStateChanged STOP and EndOfStream (time spent in
// PAUSE does not count). Zero, the default, plays forever, like a live
// source.
func WithPlayerDuration(d time.Duration) Option {
	return func(o *options) { o.playerDuration = d }
}

// WithMissingURIs names URIs that a PlayerEndpoint cannot open: play emits
// Error INVALID_URI, like a KMS given a missing file. A URI without a
// scheme KMS reads (file, http, https, rtsp, rtsps) is always missing.
func WithMissingURIs(uris ...string) Option {
	return func(o *options) { o.missingURIs = append(o.missingURIs, uris...) }
}

// WithModule teaches the fake the custom modules of the given kmd.json
// files (each file's contents, as cmd/kurento-gen reads them): their
// classes can be created, with the constructor parameters checked like
// the built-in ones, their methods answer with the zero value of their
// return type ([Server.React] can make them fail or wait), they
// inherit the methods and events of the classes they extend, and
// [Server.Emit] raises their events. ServerManager.getInfo lists the
// modules. Bad files make [Start] (or [NewServer]) fail.
func WithModule(kmdJSON ...[]byte) Option {
	return func(o *options) { o.modules = append(o.modules, kmdJSON...) }
}

// Server is a fake Kurento Media Server. All methods are safe for
// concurrent use.
type Server struct {
	opts options
	cat  *catalog
	log  *slog.Logger

	httpSrv   *http.Server
	tcp       net.Listener
	pipe      *pipeListener
	url       string
	transport *http.Transport
	client    *http.Client

	wg        sync.WaitGroup
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error

	mu    sync.Mutex
	st    *state
	conns map[*conn]struct{}
	nconn int
	// closed is set under mu before waiting for goroutines, so no goroutine
	// is added after Close started waiting.
	closed bool
	calls  []Call
	// callsDropped counts the oldest calls dropped by a bounded log, so
	// that WaitCall keeps its place by absolute position.
	callsDropped int
	// callLogged is closed and replaced each time a call is logged, waking
	// every [Server.WaitCall].
	callLogged chan struct{}
	reactions  []*reactionEntry
	// media carries real media ([WithMedia]); nil without.
	media *media.Engine
	// behaviours is what the server does beyond storing values, built in
	// Start and only read afterwards.
	behaviours *behaviours
	// sdpVersion counts the session descriptions the server wrote (their
	// o= line's session version).
	sdpVersion uint32
}

// NewServer starts a fake KMS for a test and closes it with t.Cleanup.
// Inside a testing/synctest bubble, create it inside the bubble and use
// [Server.HTTPClient].
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatalf("kurentotest: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("kurentotest: close: %v", err)
		}
	})
	return s
}

// Start starts a fake KMS. Call Close when done.
func Start(opts ...Option) (*Server, error) {
	o := options{
		cacheTTL: DefaultReplyCacheTTL,
		gcPeriod: DefaultGCPeriod,
		addr:     "127.0.0.1:0",
	}
	for _, f := range opts {
		f(&o)
	}
	if inBubble() && !o.forceTCP {
		o.noListen = true
	}
	log := o.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	facts := idl.Load()
	if len(o.modules) > 0 {
		var err error
		if facts, err = idl.Extend(facts, o.modules...); err != nil {
			return nil, fmt.Errorf("kurentotest: WithModule: %w", err)
		}
	}
	cat := newCatalog(facts)
	s := &Server{
		opts:       o,
		cat:        cat,
		behaviours: newBehaviours(cat, allBehaviours()),
		log:        log,
		done:       make(chan struct{}),
		conns:      make(map[*conn]struct{}),
		pipe:       newPipeListener(),

		callLogged: make(chan struct{}),
	}
	s.st = newState(s)
	s.httpSrv = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          nil,
	}
	s.url = "ws://kurentotest.invalid" + Path
	if !o.noListen {
		// Start takes no context: binding a loopback port does not block.
		ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", o.addr)
		if err != nil {
			return nil, fmt.Errorf("listen: %w", err)
		}
		s.tcp = ln
		s.url = "ws://" + ln.Addr().String() + Path
		s.wg.Go(func() { _ = s.httpSrv.Serve(ln) })
	}
	s.wg.Go(func() { _ = s.httpSrv.Serve(s.pipe) })
	s.transport = &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return s.pipe.dial(ctx)
		},
		DisableCompression: true,
		MaxIdleConns:       -1,
	}
	s.client = &http.Client{Transport: s.transport}
	s.startMedia() // last: nothing after it can fail and leave it running
	if o.gcPeriod > 0 {
		s.wg.Go(s.gcLoop)
	}
	return s, nil
}

// inBubble reports whether the caller runs inside a testing/synctest bubble,
// whose fake clock starts at midnight UTC, 2000-01-01.
func inBubble() bool { return time.Now().Year() < 2001 }

// URL returns the WebSocket URL of the server, ws://127.0.0.1:PORT/kurento
// (or a placeholder host with [WithInMemoryOnly]).
func (s *Server) URL() string { return s.url }

// HTTPClient returns a client whose connections, whatever the URL's host,
// reach this server through an in-memory pipe. Use it to dial inside a
// testing/synctest bubble.
func (s *Server) HTTPClient() *http.Client { return s.client }

// ServerID returns the current serverId (it changes on [Server.Restart]).
func (s *Server) ServerID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.serverID
}

// Close closes every socket and the listeners and waits for all goroutines
// of the server. It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		conns := s.connList()
		s.mu.Unlock()
		close(s.done)
		err := s.httpSrv.Close()
		_ = s.pipe.Close() // never fails
		for _, c := range conns {
			c.abort()
		}
		s.wg.Wait()
		if s.media != nil {
			s.media.Close()
		}
		s.transport.CloseIdleConnections()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			s.closeErr = err
		}
	})
	return s.closeErr
}

func (s *Server) connList() []*conn {
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true,
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		s.log.Debug("kurentotest: websocket accept failed", "err", err)
		return
	}
	if r.URL.Path != Path {
		_ = ws.Close(websocket.StatusProtocolError, "Invalid path")
		return
	}
	ws.SetReadLimit(ReadLimit)

	// The socket lives as long as this handler; Accept hijacked the
	// connection, so r.Context() ends only when serveHTTP returns.
	ctx, cancel := context.WithCancel(r.Context())
	c := &conn{s: s, ws: ws, gone: ctx.Done(), cancel: cancel, wake: make(chan struct{}, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		_ = ws.CloseNow()
		return
	}
	s.nconn++
	c.n = s.nconn
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	s.log.Debug("kurentotest: socket open", "conn", c.n)

	go func() {
		defer s.wg.Done()
		c.writeLoop(ctx)
	}()
	c.readLoop(ctx)

	cancel()
	s.mu.Lock()
	delete(s.conns, c)
	s.st.unbindConn(c)
	s.mu.Unlock()
	_ = ws.CloseNow()
	s.log.Debug("kurentotest: socket closed", "conn", c.n)
}

// conn is one client socket.
type conn struct {
	s  *Server
	n  int
	ws *websocket.Conn
	// gone is closed when the socket's lifetime context (passed to readLoop
	// and writeLoop) is cancelled, by cancel or abort.
	gone   <-chan struct{}
	cancel context.CancelFunc

	// session is the session bound to this socket ("" none); guarded by s.mu.
	session string
	// dropped is set, under s.mu, when DropConnections or Restart takes the
	// socket away: from then on its frames are ignored, as if already
	// closed, so a restart is atomic for every client.
	dropped bool

	outMu sync.Mutex
	out   [][]byte
	wake  chan struct{}
}

func (c *conn) readLoop(ctx context.Context) {
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			return
		}
		c.s.log.Debug("kurentotest: recv", "conn", c.n, "frame", string(data))
		c.s.handleFrame(c, data)
	}
}

// send queues a frame; it never blocks.
func (c *conn) send(frame []byte) {
	c.outMu.Lock()
	c.out = append(c.out, frame)
	c.outMu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *conn) writeLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		}
		c.outMu.Lock()
		batch := c.out
		c.out = nil
		c.outMu.Unlock()
		for _, f := range batch {
			c.s.log.Debug("kurentotest: send", "conn", c.n, "frame", string(f))
			if err := c.ws.Write(ctx, websocket.MessageText, f); err != nil {
				c.abort()
				return
			}
		}
	}
}

// abort closes the socket without a close handshake.
func (c *conn) abort() {
	c.cancel()
	_ = c.ws.CloseNow()
}

// pipeListener is a net.Listener fed by in-memory pipes.
type pipeListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) dial(ctx context.Context) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.ch <- server:
		return client, nil
	case <-l.done:
	case <-ctx.Done():
	}
	_ = client.Close()
	_ = server.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, ErrServerClosed
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "kurentotest" }

var _ io.Closer = (*pipeListener)(nil)
