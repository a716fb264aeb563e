// Package backoff computes reconnect delays: exponential growth with
// multiplicative jitter, capped. It holds no state so callers own attempts,
// and no defaults: the rpc package owns them and validates a policy once.
package backoff

import (
	"math"
	"math/rand/v2"
	"time"
)

// Policy is the shape of the delays, used as given.
type Policy struct {
	Base       time.Duration // first delay
	Multiplier float64       // growth per attempt, ≥ 1
	Jitter     float64       // fraction in [0, 1]: a delay d becomes uniform in [d(1-J), d(1+J)]; 0 is exact
	Max        time.Duration // cap on a single delay (before jitter)
}

// Delay returns the wait before retry number attempt (0 is the first retry).
// rnd returns a float in [0, 1); nil uses math/rand/v2.
func (p Policy) Delay(attempt int, rnd func() float64) time.Duration {
	d := float64(p.Base) * math.Pow(p.Multiplier, float64(max(attempt, 0)))
	if d > float64(p.Max) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(p.Max)
	}
	if p.Jitter > 0 {
		if rnd == nil {
			rnd = rand.Float64
		}
		d *= 1 + p.Jitter*(2*rnd()-1)
	}
	return time.Duration(d)
}
