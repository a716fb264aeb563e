package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Defaults of [Config]; each applies when its field is zero.
const (
	DefaultReadLimit         = 16 << 20 // bytes; SDP is ~10 KiB, but stats and kmd texts are large
	DefaultCallTimeout       = 20 * time.Second
	DefaultKeepaliveInterval = 20 * time.Second
	DefaultKeepaliveTimeout  = 10 * time.Second
	DefaultKeepaliveMethod   = "ping"
	// DefaultResendWindow is how long after first sending a request it may
	// still be resent after a reconnect. KMS keeps replies for 20 s; the
	// 5 s margin covers the reconnect itself and clock granularity.
	DefaultResendWindow = 15 * time.Second
	DefaultWriteTimeout = 10 * time.Second
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
type Backoff struct {
	Base       time.Duration // default 100 ms
	Multiplier float64       // default 1.6
	Jitter     float64       // default 0.2
	Max        time.Duration // default 10 s
	MaxElapsed time.Duration // default 0: forever
}

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
}

func (c *Config) withDefaults() (Config, error) {
	cfg := *c
	if cfg.URL == "" {
		return cfg, errors.New("rpc: empty url")
	}
	if cfg.ReadLimit < 0 || cfg.CallTimeout < 0 || cfg.WriteTimeout < 0 || cfg.ResendWindow < 0 ||
		cfg.Keepalive.Interval < 0 || cfg.Keepalive.Timeout < 0 || cfg.Backoff.MaxElapsed < 0 {
		return cfg, errors.New("rpc: negative limit or duration in config")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.ReadLimit == 0 {
		cfg.ReadLimit = DefaultReadLimit
	}
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = DefaultCallTimeout
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
