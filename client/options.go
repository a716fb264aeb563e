package client

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gokurento/kurento/event"
	"github.com/gokurento/kurento/internal/kms"
	"github.com/gokurento/kurento/rpc"
)

// Option configures Dial. Options are validated when Dial applies them.
type Option interface{ apply(*settings) error }

type optionFunc func(*settings) error

func (f optionFunc) apply(s *settings) error { return f(s) }

// Keepalive configures the liveness probe: a JSON-RPC ping every Interval;
// no reply within Timeout marks the socket dead and starts a reconnect.
// Default: 20 s interval, 10 s timeout. Disabled turns probing off.
type Keepalive = rpc.Keepalive

// Backoff shapes the delays between reconnect attempts. Default: 100 ms,
// ×1.6 per attempt, ±20 % jitter, at most 10 s a delay, retrying forever
// (MaxElapsed 0); the values are rpc.DefaultBackoffBase and its siblings.
type Backoff = rpc.Backoff

// ErrorHandler receives failures of background work that no call can
// return: a subscription ended by [ErrSlowConsumer], an event that could
// not be decoded, a failed background release. It runs on its own
// goroutine, never on the read loop.
type ErrorHandler func(error)

// DefaultEventBuffer is the queue bound of one event subscription, in
// events.
//
// The read loop never waits for a consumer (replies share the socket with
// events, and a consumer that makes calls would deadlock), so a burst can
// only be absorbed by the queue. The default holds a whole burst of 100,000
// ICE candidates even if the consumer gets no CPU until it ends, so on a
// loaded machine nothing is lost however the scheduler runs it. The queue
// grows with its backlog and is freed when it empties, so idle and
// keeping-up subscriptions cost almost nothing; the bound is reached only by
// a consumer that stopped reading, at roughly 1 KB per queued
// IceCandidateFound (its struct, strings and the received bytes kept in
// Base.Raw). Lower it with [WithEventBuffer] or, per subscription,
// [WithBuffer] where that worst case matters more than bursts.
const DefaultEventBuffer = 1 << 17

type settings struct {
	logger       *slog.Logger
	rpc          rpc.Config
	tlsConfig    *tls.Config
	sessionID    string
	keepSession  bool
	eventBuffer  int
	errorHandler ErrorHandler
	tracer       Tracer
	factories    map[string]Factory // classes of custom modules, see WithModule
	events       map[string]func(event.Raw) (event.Event, error)
}

// WithLogger sets the logger. Default: discard (but see
// [WithErrorHandler] for slow consumers). Frames are logged at Debug
// with SDP and secrets redacted; reconnects at Info; recovered anomalies at
// Warn; session loss at Error.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(s *settings) error {
		if l == nil {
			return errors.New("kurento: WithLogger: nil logger")
		}
		s.logger = l
		return nil
	})
}

// WithCallTimeout bounds calls whose ctx has no deadline. Default 20 s.
func WithCallTimeout(d time.Duration) Option {
	return optionFunc(func(s *settings) error {
		if d <= 0 {
			return errors.New("kurento: WithCallTimeout: duration must be positive")
		}
		s.rpc.CallTimeout = d
		return nil
	})
}

// WithDialTimeout bounds Dial (websocket upgrade and session handshake)
// when its ctx has no deadline, and each reconnect attempt. Default
// rpc.DefaultDialTimeout (10 s).
func WithDialTimeout(d time.Duration) Option {
	return optionFunc(func(s *settings) error {
		if d <= 0 {
			return errors.New("kurento: WithDialTimeout: duration must be positive")
		}
		s.rpc.DialTimeout = d
		return nil
	})
}

// WithKeepalive sets the keepalive probe. Default: 20 s interval, 10 s
// timeout. Dial validates it with the other connection settings.
func WithKeepalive(k Keepalive) Option {
	return optionFunc(func(s *settings) error {
		s.rpc.Keepalive = k
		return nil
	})
}

// WithBackoff sets the reconnect backoff (defaults: rpc.DefaultBackoffBase
// and its siblings; NoJitter for exact delays). Dial validates it with the
// other connection settings.
func WithBackoff(b Backoff) Option {
	return optionFunc(func(s *settings) error {
		s.rpc.Backoff = b
		return nil
	})
}

// WithResendWindow sets how long after first sending a request it may be
// resent after a same-session reconnect. KMS caches replies for 20 s, so the
// window must stay below that. Default 15 s.
func WithResendWindow(d time.Duration) Option {
	return optionFunc(func(s *settings) error {
		if d <= 0 || d >= kms.ReplyCacheWindow {
			return errors.New("kurento: WithResendWindow: must be in (0, 20s)")
		}
		s.rpc.ResendWindow = d
		return nil
	})
}

// WithTLSConfig sets the TLS configuration for wss:// URLs (custom CA,
// client certificates). It replaces the transport of the HTTP client.
func WithTLSConfig(c *tls.Config) Option {
	return optionFunc(func(s *settings) error {
		if c == nil {
			return errors.New("kurento: WithTLSConfig: nil config")
		}
		s.tlsConfig = c
		return nil
	})
}

// WithHTTPHeader adds headers to the websocket handshake (tokens for a
// proxy in front of KMS). The values are never logged.
func WithHTTPHeader(h http.Header) Option {
	return optionFunc(func(s *settings) error {
		s.rpc.HTTPHeader = h.Clone()
		return nil
	})
}

// WithHTTPClient sets the HTTP client used for the websocket handshake
// (kurentotest's in-memory transport is one). Default http.DefaultClient.
func WithHTTPClient(c *http.Client) Option {
	return optionFunc(func(s *settings) error {
		if c == nil {
			return errors.New("kurento: WithHTTPClient: nil client")
		}
		s.rpc.HTTPClient = c
		return nil
	})
}

// WithReadLimit sets the largest frame accepted from the server, in bytes.
// A reply over it fails its call with rpc.ErrFrameTooLarge. Default 16 MiB.
func WithReadLimit(n int64) Option {
	return optionFunc(func(s *settings) error {
		if n < 1024 {
			return errors.New("kurento: WithReadLimit: limit below 1 KiB")
		}
		s.rpc.ReadLimit = n
		return nil
	})
}

// WithSessionID adopts an existing KMS session instead of starting one: an
// application restarted within KMS's garbage-collection window binds its
// old session and finds its objects by id. Dial fails with an error
// matching [ErrInvalidSession] if the server no longer knows the session.
func WithSessionID(id string) Option {
	return optionFunc(func(s *settings) error {
		if id == "" {
			return errors.New("kurento: WithSessionID: empty session id")
		}
		s.sessionID = id
		return nil
	})
}

// WithKeepSessionOnClose makes Close leave the KMS session alive (no
// closeSession), so another process can adopt it with [WithSessionID]
// before KMS garbage-collects it.
func WithKeepSessionOnClose() Option {
	return optionFunc(func(s *settings) error {
		s.keepSession = true
		return nil
	})
}

// WithEventBuffer bounds the queue of each event subscription, in events;
// [WithBuffer] overrides it for one subscription. A consumer that falls
// this far behind has its subscription ended with [ErrSlowConsumer] after
// what was queued is delivered. Default [DefaultEventBuffer] (131,072).
func WithEventBuffer(n int) Option {
	return optionFunc(func(s *settings) error {
		if n < 1 {
			return errors.New("kurento: WithEventBuffer: must be at least 1")
		}
		s.eventBuffer = n
		return nil
	})
}

// WithErrorHandler receives background failures; see [ErrorHandler].
// Default: they are only logged, and when no logger was given either
// ([WithLogger]), a subscription ended by [ErrSlowConsumer] is printed on
// standard error, so that an overflow is never silent.
func WithErrorHandler(h ErrorHandler) Option {
	return optionFunc(func(s *settings) error {
		s.errorHandler = h
		return nil
	})
}

// Module describes the classes (and, for a custom Kurento module, the
// events) of a generated handle package to a client. Every handle package
// returns one from its Module function: the built-in ones (element,
// pipeline, endpoint, hub, filter) and those cmd/kurento-gen writes. It is
// a plain value; nothing is registered until it is given to [WithModule].
type Module struct {
	// Names are the IDL modules described (e.g. "chroma").
	Names []string
	// Types maps an IDL class name (e.g. "ChromaFilter") to the factory
	// of its typed handle.
	Types map[string]Factory
	// Events maps the name of an event the module declares to its
	// decoder, so that ordered streams (SubscribeEvents) deliver its
	// struct rather than an event.Raw.
	Events map[string]func(event.Raw) (event.Event, error)
}

// WithModule registers the classes and events of a module with this
// client only, so that [Client.Lookup] and [Client.HandleOf] return their
// typed handles (for objects of those classes and of their subclasses the
// server does not describe further) and ordered event streams deliver
// their event structs. Several modules may be given, for example
// WithModule(endpoint.Module()) and WithModule(filter.Module()); a class
// or event named twice, or an event of package event, is an error. There
// is no process-wide registry: a client knows the modules it was given.
func WithModule(m Module) Option {
	return optionFunc(func(s *settings) error {
		if len(m.Types) == 0 && len(m.Events) == 0 {
			return fmt.Errorf("kurento: WithModule %v: no classes and no events", m.Names)
		}
		if s.factories == nil {
			s.factories = make(map[string]Factory, len(m.Types))
		}
		for name, f := range m.Types {
			if name == "" || f == nil {
				return fmt.Errorf("kurento: WithModule %v: class %q without a name or a factory", m.Names, name)
			}
			if _, dup := s.factories[name]; dup {
				return fmt.Errorf("kurento: WithModule %v: class %s registered twice", m.Names, name)
			}
			s.factories[name] = f
		}
		for name, d := range m.Events {
			if name == "" || d == nil {
				return fmt.Errorf("kurento: WithModule %v: event %q without a name or a decoder", m.Names, name)
			}
			if _, dup := s.events[name]; dup || event.Known(name) {
				return fmt.Errorf("kurento: WithModule %v: event %s registered twice", m.Names, name)
			}
			if s.events == nil {
				s.events = map[string]func(event.Raw) (event.Event, error){}
			}
			s.events[name] = d
		}
		return nil
	})
}
