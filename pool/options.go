package pool

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/internal/backoff"
)

// Option configures New. Options are validated when New applies them.
type Option interface{ apply(*settings) error }

type optionFunc func(*settings) error

func (f optionFunc) apply(s *settings) error { return f(s) }

// Dialer opens the client of one server. The default is client.Dial with the
// options of WithClientOptions.
type Dialer func(ctx context.Context, url string) (*client.Client, error)

// Refresh shapes how the pool reads the load of its servers.
type Refresh struct {
	// Interval between two reads of a server's load; a placement on the
	// server also triggers a read. Default 5 s.
	Interval time.Duration
	// CPUWindow is the interval KMS measures CPU use over (getUsedCpu
	// blocks that long). Default 100 ms.
	CPUWindow time.Duration
	// Timeout bounds one read. Default 5 s.
	Timeout time.Duration
}

type settings struct {
	policy         Policy
	dial           Dialer
	clientOpts     []client.Option
	resolveEvery   time.Duration
	refresh        Refresh
	lostAfter      time.Duration
	dialTimeout    time.Duration
	redial         backoff.Policy
	failoverBuffer int
	log            *slog.Logger
}

func defaults() settings {
	return settings{
		policy:         LeastLoaded{},
		resolveEvery:   30 * time.Second,
		refresh:        Refresh{Interval: 5 * time.Second, CPUWindow: 100 * time.Millisecond, Timeout: 5 * time.Second},
		lostAfter:      10 * time.Second,
		dialTimeout:    10 * time.Second,
		redial:         backoff.Policy{Base: 200 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, Max: 10 * time.Second},
		failoverBuffer: 4096,
		log:            slog.New(slog.DiscardHandler),
	}
}

// WithPolicy sets how new keys are placed. Default LeastLoaded{} (fewest
// pipelines per weight, no caps).
func WithPolicy(p Policy) Option {
	return optionFunc(func(s *settings) error {
		if p == nil {
			return errors.New("pool: nil Policy")
		}
		s.policy = p
		return nil
	})
}

// WithDialer replaces how a server's client is opened (tests route each URL
// to a fake; applications add per-server options). Default client.Dial.
func WithDialer(d Dialer) Option {
	return optionFunc(func(s *settings) error {
		if d == nil {
			return errors.New("pool: nil Dialer")
		}
		s.dial = d
		return nil
	})
}

// WithClientOptions are passed to client.Dial for every server (logger,
// keepalive, TLS...). Ignored when WithDialer is given.
func WithClientOptions(opts ...client.Option) Option {
	return optionFunc(func(s *settings) error {
		s.clientOpts = append(s.clientOpts, opts...)
		return nil
	})
}

// WithResolveInterval sets how often the Discovery is asked again.
// Default 30 s.
func WithResolveInterval(d time.Duration) Option {
	return optionFunc(func(s *settings) error {
		if d <= 0 {
			return errors.New("pool: resolve interval must be positive")
		}
		s.resolveEvery = d
		return nil
	})
}

// WithRefresh sets how server loads are read; zero fields keep their
// defaults (see Refresh).
func WithRefresh(r Refresh) Option {
	return optionFunc(func(s *settings) error {
		if r.Interval < 0 || r.CPUWindow < 0 || r.Timeout < 0 {
			return errors.New("pool: negative Refresh duration")
		}
		if r.Interval > 0 {
			s.refresh.Interval = r.Interval
		}
		if r.CPUWindow > 0 {
			s.refresh.CPUWindow = r.CPUWindow
		}
		if r.Timeout > 0 {
			s.refresh.Timeout = r.Timeout
		}
		return nil
	})
}

// WithLostAfter sets how long a server may stay unreachable (its client
// reconnecting) before the pool gives its session up: the keys on it are
// failed over and its client is closed, so work can no longer resume there
// (KMS frees the session's objects when it collects the session). A KMS that
// comes back sooner with the session intact resumes and nothing is failed
// over; one that restarted is reported at once. Default 10 s.
func WithLostAfter(d time.Duration) Option {
	return optionFunc(func(s *settings) error {
		if d <= 0 {
			return errors.New("pool: lost-after must be positive")
		}
		s.lostAfter = d
		return nil
	})
}

// WithDialTimeout bounds each attempt to open a server's client. Default
// 10 s.
func WithDialTimeout(d time.Duration) Option {
	return optionFunc(func(s *settings) error {
		if d <= 0 {
			return errors.New("pool: dial timeout must be positive")
		}
		s.dialTimeout = d
		return nil
	})
}

// WithFailoverBuffer bounds the queue of each Failovers channel; a reader
// that falls this far behind has its channel closed (logged at Error).
// Default 4096.
func WithFailoverBuffer(n int) Option {
	return optionFunc(func(s *settings) error {
		if n <= 0 {
			return errors.New("pool: failover buffer must be positive")
		}
		s.failoverBuffer = n
		return nil
	})
}

// WithLogger sets the pool's logger (servers joining and leaving, failovers,
// refresh failures). Default: discard. Clients log through their own
// WithLogger option.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(s *settings) error {
		if l == nil {
			return errors.New("pool: nil logger")
		}
		s.log = l
		return nil
	})
}
