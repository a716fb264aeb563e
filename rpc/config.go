package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Defaults of [Config] and [Backoff]; each applies when its field is zero.
// They are the only copy of these values: the client package documents and
// uses them as they are.
const (
	DefaultReadLimit         = 16 << 20 // bytes; SDP is ~10 KiB, but stats and kmd texts are large
	DefaultCallTimeout       = 20 * time.Second
	DefaultKeepaliveInterval = 20 * time.Second
	DefaultKeepaliveTimeout  = 10 * time.Second
	DefaultKeepaliveMethod   = "ping"
	// DefaultResendWindow is how long after first sending a request it may
	// still be resent after a reconnect. It suits a server that answers a
	// repeated request id from a reply cache kept 20 s (the margin covers
	// the reconnect itself and clock granularity); set
	// [Config.ResendWindow] for a server that caches for less.
	DefaultResendWindow = 15 * time.Second
	DefaultWriteTimeout = 10 * time.Second
	// DefaultDialTimeout bounds Dial (websocket upgrade and OnConnect) when
	// its ctx has no deadline, and each reconnect attempt: a peer that
	// accepts TCP but never completes the upgrade cannot hold either.
	DefaultDialTimeout = 10 * time.Second
	// DefaultCloseTimeout bounds the closing handshake of Close: a peer
	// that never answers it cannot hold Close longer.
	DefaultCloseTimeout = time.Second

	DefaultBackoffBase       = 100 * time.Millisecond
	DefaultBackoffMultiplier = 1.6
	DefaultBackoffJitter     = 0.2
	DefaultBackoffMax        = 10 * time.Second
)

// Keepalive configures the liveness probe: a request with Method every
// Interval; no reply within Timeout marks the socket dead and starts a
// reconnect. A server error reply counts as alive.
type Keepalive struct {
	Interval time.Duration // default 20 s
	Timeout  time.Duration // default 10 s
	Method   string        // default "ping"
	Disabled bool          // no probing at all
}

// Backoff shapes the delays between reconnect attempts: Base, then ×
// Multiplier each attempt up to Max, each randomised by ±Jitter (a fraction).
// MaxElapsed bounds the whole reconnect; zero retries forever.
//
// Attempts count across sockets that die young: a server that accepts the
// handshake and drops the socket moments later is retried with growing
// delays, and MaxElapsed counts from the first loss, until a socket stays
// up for [StableSocket].
type Backoff struct {
	Base       time.Duration // default 100 ms
	Multiplier float64       // default 1.6; at least 1
	Jitter     float64       // default 0.2; in [0, 1]
	NoJitter   bool          // exact delays: Jitter is not applied
	Max        time.Duration // default 10 s
	MaxElapsed time.Duration // default 0: forever
}

// StableSocket is how long a socket must stay up for the reconnect backoff
// to start again from Base.
const StableSocket = 10 * time.Second

// Caller makes calls on one specific socket, bypassing the readiness gate.
// [Config.OnConnect] gets one for the socket being set up.
type Caller interface {
	Call(ctx context.Context, method string, params, result any) error
}

// Outcome is what [Config.OnConnect] decided about a new socket.
type Outcome struct {
	// Resumed: the server still has the session, so requests in flight on
	// the previous socket are resent (within the resend window).
	Resumed bool
	// Lost, when not nil, fails every request in flight with this error
	// (the session is gone, so their outcome cannot be known or resent).
	Lost error
}

// Config describes one connection. URL is required; everything else has a
// documented default.
type Config struct {
	URL        string
	HTTPClient *http.Client // default http.DefaultClient (TLS settings live in its Transport)
	HTTPHeader http.Header  // extra headers of the websocket handshake

	ReadLimit    int64         // largest accepted frame in bytes; default 16 MiB
	CallTimeout  time.Duration // applies when a call's ctx has no deadline; default 20 s
	DialTimeout  time.Duration // bounds Dial without a deadline and each reconnect attempt; default 10 s
	WriteTimeout time.Duration // bounds one frame write; default 10 s
	ResendWindow time.Duration // default 15 s
	Keepalive    Keepalive
	Backoff      Backoff
	Logger       *slog.Logger // default: discard

	// OnConnect runs on every new socket before calls may use it: first
	// from Dial (reconnect false), then after each reconnect. It may call
	// through c. An error discards the socket: Dial fails, a reconnect
	// retries after backoff.
	OnConnect func(ctx context.Context, c Caller, reconnect bool) (Outcome, error)
	// OnNotification receives every request without id from the server. It
	// runs on the read loop: it must not block and must not call back into
	// the connection synchronously.
	OnNotification func(method string, params json.RawMessage)
	// OnStateChange, when set, observes every state change synchronously
	// (before StateChanges subscribers); it must not block.
	OnStateChange func(StateChange)
	// ResendHooks makes Call honour hooks set with [WithResendHook].
	ResendHooks bool
	// Dialect tells what is known of the server beyond JSON-RPC 2.0; the
	// zero Dialect assumes nothing.
	Dialect Dialect
}

// Dialect is what a connection knows of its server beyond JSON-RPC 2.0:
// how the server lays out its frames, so that the read loop routes the
// common ones without decoding them, and which values stay out of the
// log. Every member is optional. The client package fills it for Kurento
// Media Server.
type Dialect struct {
	// ReplyID recognises a successful reply from its bytes, without
	// decoding it, and returns its id. A recognised frame is handed to its
	// caller whole and decoded once, straight into the caller's result;
	// that decode validates it, and a frame that turns out broken or
	// answering another id fails the call as malformed. Frames it does not
	// recognise are decoded on the read loop.
	ReplyID func(frame []byte) (id uint64, ok bool)
	// Notification splits a notification into its method and params
	// without decoding it. params must be a copy (the frame buffer is
	// reused) and reach OnNotification unvalidated.
	Notification func(frame []byte) (method string, params json.RawMessage, ok bool)
	// PrefixID finds the id of a reply in the first bytes of a frame: how
	// a reply over the read limit, or with a broken envelope, fails its
	// call at once. Without it such a call waits for its deadline.
	PrefixID func(prefix []byte) (id uint64, ok bool)
	// Secret reports whether the string value of an object member must be
	// replaced in Debug frame logs. Without it nothing is replaced.
	Secret func(key, value string) bool
}

func (c *Config) withDefaults() (Config, error) {
	cfg := *c
	if err := checkURL(cfg.URL); err != nil {
		return cfg, err
	}
	if cfg.ReadLimit < 0 || cfg.CallTimeout < 0 || cfg.DialTimeout < 0 || cfg.WriteTimeout < 0 || cfg.ResendWindow < 0 ||
		cfg.Keepalive.Interval < 0 || cfg.Keepalive.Timeout < 0 {
		return cfg, errors.New("rpc: negative limit or duration in config")
	}
	b, err := cfg.Backoff.withDefaults()
	if err != nil {
		return cfg, err
	}
	cfg.Backoff = b
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.ReadLimit == 0 {
		cfg.ReadLimit = DefaultReadLimit
	}
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.ResendWindow == 0 {
		cfg.ResendWindow = DefaultResendWindow
	}
	if cfg.Keepalive.Interval == 0 {
		cfg.Keepalive.Interval = DefaultKeepaliveInterval
	}
	if cfg.Keepalive.Timeout == 0 {
		cfg.Keepalive.Timeout = DefaultKeepaliveTimeout
	}
	if cfg.Keepalive.Method == "" {
		cfg.Keepalive.Method = DefaultKeepaliveMethod
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

// checkURL refuses what cannot be a websocket URL before anything is
// dialled: the websocket library would silently accept http(s) too.
func checkURL(raw string) error {
	if raw == "" {
		return errors.New("rpc: empty url")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("rpc: url: %w", err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return fmt.Errorf("rpc: url %q: scheme %q, want ws or wss", raw, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("rpc: url %q: no host", raw)
	}
	return nil
}

// withDefaults validates b and fills its zero fields: the one place where
// backoff settings are checked.
func (b Backoff) withDefaults() (Backoff, error) {
	if b.Base < 0 || b.Max < 0 || b.MaxElapsed < 0 || b.Jitter < 0 || b.Jitter > 1 ||
		(b.Multiplier != 0 && b.Multiplier < 1) {
		return b, errors.New("rpc: backoff: durations must be ≥ 0, jitter in [0,1], multiplier ≥ 1")
	}
	if b.Base == 0 {
		b.Base = DefaultBackoffBase
	}
	if b.Multiplier == 0 {
		b.Multiplier = DefaultBackoffMultiplier
	}
	if b.NoJitter {
		b.Jitter = 0
	} else if b.Jitter == 0 {
		b.Jitter = DefaultBackoffJitter
	}
	if b.Max == 0 {
		b.Max = DefaultBackoffMax
	}
	b.Max = max(b.Max, b.Base)
	return b, nil
}
