// Package backoff computes reconnect delays: exponential growth with
// multiplicative jitter, capped. It holds no state so callers own attempts.
package backoff

import (
	"math"
	"math/rand/v2"
	"time"
)

// Policy is the shape of the delays. Zero fields mean the documented
// defaults of [Policy.WithDefaults].
type Policy struct {
	Base       time.Duration // first delay
	Multiplier float64       // growth per attempt, ≥ 1
	Jitter     float64       // fraction in [0, 1]: a delay d becomes uniform in [d(1-J), d(1+J)]
	Max        time.Duration // cap on a single delay (before jitter)
}

// Defaults: a first retry after 100 ms, ×1.6 each time, ±20 %, at most 10 s.
const (
	DefaultBase       = 100 * time.Millisecond
	DefaultMultiplier = 1.6
	DefaultJitter     = 0.2
	DefaultMax        = 10 * time.Second
)

// WithDefaults returns p with zero fields replaced by the defaults.
func (p Policy) WithDefaults() Policy {
	if p.Base <= 0 {
		p.Base = DefaultBase
	}
	if p.Multiplier < 1 {
		p.Multiplier = DefaultMultiplier
	}
	if p.Jitter <= 0 {
		p.Jitter = DefaultJitter
	}
	if p.Jitter > 1 {
		p.Jitter = 1
	}
	if p.Max <= 0 {
		p.Max = DefaultMax
	}
	if p.Max < p.Base {
		p.Max = p.Base
	}
	return p
}

// Delay returns the wait before retry number attempt (0 is the first retry).
// rnd returns a float in [0, 1); nil uses math/rand/v2.
func (p Policy) Delay(attempt int, rnd func() float64) time.Duration {
	if rnd == nil {
		rnd = rand.Float64
	}
	d := float64(p.Base) * math.Pow(p.Multiplier, float64(max(attempt, 0)))
	if d > float64(p.Max) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(p.Max)
	}
	d *= 1 + p.Jitter*(2*rnd()-1)
	return time.Duration(d)
}
